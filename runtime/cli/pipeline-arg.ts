import { join, sep } from 'node:path';
import type { Pipeline, Project } from '../project/model.js';
import { validateProject } from '../validate/validate-project.js';
import type { Invocation } from './command.js';
import { problemLine } from './output.js';

/** The pipeline a verb names; says which pipelines there are when it names none or an unknown one. */
export function namedPipeline(invocation: Invocation, project: Project, name: string | undefined): Pipeline | undefined {
  const pipeline = name ? project.pipelines.get(name) : undefined;
  if (!pipeline && name) {
    // A pipeline whose files do not load (broken YAML, another encoding): their problems, not "cannot find".
    const dir = join(project.root, 'pipelines', name);
    const problems = project.problems.filter((p) => p.severity === 'error' && p.range.file.startsWith(`${dir}${sep}`));
    if (problems.length > 0) {
      for (const problem of problems) invocation.err(problemLine(problem, invocation));
      invocation.err(`error: Cannot read pipeline "${name}": fix the problem${problems.length === 1 ? '' : 's'} above (pipewright validate lists every one)`);
      return undefined;
    }
  }
  if (!pipeline) {
    const known = [...project.pipelines.keys()].join(', ') || 'none';
    invocation.err(`error: ${name ? `Cannot find pipeline "${name}"` : 'Name the pipeline'} (pipelines: ${known})`);
  }
  return pipeline;
}

/** Prints the errors of a pipeline's files and returns false when it has any: such a pipeline is not run. */
export function runnable(invocation: Invocation, project: Project, pipeline: Pipeline): boolean {
  const errors = validateProject(project).filter((p) => p.severity === 'error' && p.range.file.startsWith(`${pipeline.dir}/`));
  for (const problem of errors) invocation.err(problemLine(problem, invocation));
  if (errors.length > 0) invocation.err(`error: Cannot run ${pipeline.uuid} until these problems are fixed`);
  return errors.length === 0;
}
