import { existsSync } from 'node:fs';
import type { ValidateJson } from '../protocol.js';
import { join } from 'node:path';
import { loadWorkspace, notAProject } from '../project/load-project.js';
import { addProblems, finishProblems, type Problem } from '../problem.js';
import { validateProject } from '../validate/validate-project.js';
import { PROJECT_FLAG, type Verb } from './command.js';
import { displayPath, paint, problemLine } from './output.js';
import { noProject, projectDir } from './project-arg.js';

/** `pipewright validate [dir]`: every problem of a project, as `file:line:col: severity: message`. */
export const validateVerb: Verb = {
  name: 'validate',
  summary: 'Check a project: YAML, schemas, the pipelines graphs, block files, profiles and env vars.',
  usage: 'pipewright validate [DIR] [--format text|json] [--quiet]',
  details:
    'Prints every problem as file:line:col: severity: message and exits 1 when there is an error.\n' +
    'Missing environment variables are warnings: they may be set where the pipeline runs.\n' +
    'A multi-project root (settings.yaml with projects:) validates each of its projects.',
  flags: {
    project: PROJECT_FLAG,
    format: { type: 'string', value: 'text|json', description: 'Output format (default text)' },
    quiet: { type: 'boolean', short: 'q', description: 'Print errors only' },
  },
  run(invocation) {
    const dir = projectDir(invocation, invocation.positionals[0]);
    if (!dir) return noProject(invocation);
    if (!existsSync(dir)) {
      invocation.err(`error: Cannot validate ${dir}: no such folder`);
      return 2;
    }
    if (!['io_config.yaml', 'metadata.yaml', 'settings.yaml', 'pipelines'].some((f) => existsSync(join(dir, f)))) {
      invocation.out(problemLine(notAProject(dir), invocation));
      return 1;
    }
    const workspace = loadWorkspace(dir);
    const found: Problem[] = [...workspace.problems];
    let pipelines = 0;
    for (const project of workspace.projects) {
      addProblems(found, validateProject(project));
      pipelines += project.pipelines.size;
    }
    const problems = finishProblems(found);
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.filter((p) => p.severity === 'warning').length;
    if (invocation.flags.format === 'json') {
      invocation.out(JSON.stringify({ projects: workspace.projects.map((p) => p.root), pipelines, errors, warnings, problems } satisfies ValidateJson, null, 2));
      return errors > 0 ? 1 : 0;
    }
    const shown = invocation.flags.quiet ? problems.filter((p) => p.severity === 'error') : problems;
    for (const problem of shown) invocation.out(problemLine(problem, invocation));
    const where = displayPath(invocation.cwd, dir) || '.';
    const summary = `${where}: ${pipelines} pipeline${pipelines === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
    invocation.out(paint(invocation.color, errors > 0 ? 'red' : 'green', summary));
    return errors > 0 ? 1 : 0;
  },
};
