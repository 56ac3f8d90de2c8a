import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runPipeline } from '../executor/run-pipeline.js';
import { parseVarArguments } from '../executor/variables.js';
import { pruneProject } from '../history/retention.js';
import { ensureBlockTypes } from '../project/block-types.js';
import { loadProject } from '../project/load-project.js';
import { parseStartTime } from '../project/schedule.js';
import type { RunEvent } from '../protocol.js';
import { PROJECT_FLAG, type Verb, PROFILE_FLAG, profileOf } from './command.js';
import { displayPath } from './output.js';
import { namedPipeline, runnable } from './pipeline-arg.js';
import { noProject, projectDir } from './project-arg.js';
import { createRunRenderer } from './run-renderer.js';
import { onStopSignals } from './stop-signals.js';

/** `pipewright run <pipeline>`: runs a pipeline, a block, or part of a pipeline, in this terminal. */
export const runVerb: Verb = {
  name: 'run',
  summary: 'Run a pipeline, one block, or a block onwards, with live output.',
  usage: 'pipewright run <PIPELINE> [--block UUID [--with-upstream]] [--from UUID] [--var NAME=VALUE ...] [--vars JSON] [--execution-date ISO] [--profile NAME]',
  details:
    'A block run on its own reads its upstream outputs from their latest successful run (and says which).\n' +
    'Ctrl-C cancels the run cleanly; a second Ctrl-C exits at once. Exit code 0 only when the run completed.',
  flags: {
    project: PROJECT_FLAG,
    block: { type: 'string', value: 'UUID', description: 'Run only this block' },
    'with-upstream': { type: 'boolean', description: 'With --block: first run the blocks it needs' },
    from: { type: 'string', value: 'UUID', description: 'Run this block and everything downstream of it' },
    var: {
      type: 'string',
      value: 'NAME=VALUE',
      multiple: true,
      description: "Set a variable (over pipeline and trigger variables); the value reads as YAML: 1 is a number, '01' a string",
    },
    vars: { type: 'string', value: 'JSON', description: "Set variables from a JSON object (Mage's --runtime-vars)" },
    'execution-date': { type: 'string', value: 'ISO', description: "The run's execution_date (default: now)" },
    profile: PROFILE_FLAG,
    concurrency: { type: 'string', value: 'N', description: 'Blocks running at once' },
    events: { type: 'string', value: 'FILE', description: 'Also write every event as a JSON line to FILE' },
  },
  async run(invocation) {
    const dir = projectDir(invocation);
    if (!dir) return noProject(invocation);
    const name = invocation.positionals[0];
    const project = loadProject(dir);
    ensureBlockTypes(dir);
    const pipeline = namedPipeline(invocation, project, name);
    if (!pipeline) return 2;
    if (!runnable(invocation, project, pipeline)) return 1;
    let overrides: Record<string, unknown>;
    let executionDate: Date | undefined;
    let concurrency: number | undefined;
    try {
      overrides = parseVarArguments((invocation.flags.var as string[] | undefined) ?? [], invocation.flags.vars as string | undefined);
      const date = invocation.flags['execution-date'] as string | undefined;
      if (date !== undefined) {
        executionDate = parseStartTime(date);
        if (!executionDate) throw new Error(`--execution-date ${date}: write a date such as 2021-01-15 or 2021-01-15T06:00:00Z`);
      }
      const limit = invocation.flags.concurrency as string | undefined;
      if (limit !== undefined) {
        concurrency = Number(limit);
        if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency ${limit}: give a whole number of at least 1`);
      }
    } catch (error) {
      invocation.err(`error: ${(error as Error).message}`);
      return 2;
    }
    const eventsFile = invocation.flags.events as string | undefined;
    const render = createRunRenderer({
      write: (text) => process.stdout.write(text),
      color: invocation.color,
      live: Boolean(process.stdout.isTTY),
      cwdPath: (file) => displayPath(invocation.cwd, file),
    });
    const onEvent = (event: RunEvent) => {
      render(event);
      if (eventsFile) appendFileSync(resolve(invocation.cwd, eventsFile), `${JSON.stringify(event)}\n`);
    };
    const controller = new AbortController();
    const stopListening = onStopSignals((count) => {
      if (count > 1) process.exit(130);
      process.stderr.write('\nCancelling the run (Ctrl-C again to exit at once)…\n');
      controller.abort();
    });
    try {
      const result = await runPipeline({
        project,
        pipeline,
        overrides,
        executionDate,
        concurrency,
        onEvent,
        signal: controller.signal,
        profile: profileOf(invocation),
        selection: {
          block: invocation.flags.block as string | undefined,
          from: invocation.flags.from as string | undefined,
          withUpstream: Boolean(invocation.flags['with-upstream']),
        },
      });
      pruneProject(project);
      return result.status === 'completed' ? 0 : result.status === 'cancelled' ? 130 : 1;
    } catch (error) {
      // Ctrl-C reaches esbuild's process too, and a compile cut short throws: that is a cancel.
      if (controller.signal.aborted) {
        invocation.err('Cancelled before any block ran');
        return 130;
      }
      invocation.err(`error: ${(error as Error).message}`);
      return 1;
    } finally {
      stopListening();
    }
  },
};
