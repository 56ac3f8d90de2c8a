import { appendFileSync } from 'node:fs';
import type { BackfillPlanJson } from '../protocol.js';
import { resolve } from 'node:path';
import { parseVarArguments } from '../executor/variables.js';
import { loadProject } from '../project/load-project.js';
import { parseStartTime } from '../project/schedule.js';
import { backfillName, planBackfill, runBackfill, type PlannedRun } from '../scheduler/backfill.js';
import { parseInterval, type IntervalSpec } from '../scheduler/intervals.js';
import { PROJECT_FLAG, type Invocation, type Verb, PROFILE_FLAG, profileOf } from './command.js';
import { paint } from './output.js';
import { namedPipeline, runnable } from './pipeline-arg.js';
import { noProject, projectDir } from './project-arg.js';
import { formatDuration } from '../duration.js';
import { onStopSignals } from './stop-signals.js';
import { pruneProject } from '../history/retention.js';

function when(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/:00\.000Z$/, '')
    .replace(/ 00:00$/, '');
}

function parseOptions(invocation: Invocation) {
  const start = parseStartTime(String(invocation.flags.start ?? ''));
  const end = parseStartTime(String(invocation.flags.end ?? ''));
  if (!start) throw new Error(`--start ${String(invocation.flags.start ?? '(missing)')}: give a date such as 2021-01-01`);
  if (!end) throw new Error(`--end ${String(invocation.flags.end ?? '(missing)')}: give a date such as 2021-01-31`);
  const interval: IntervalSpec = parseInterval(String(invocation.flags.interval ?? 'day'));
  const concurrency = Number(invocation.flags.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency ${String(invocation.flags.concurrency)}: give a whole number of at least 1`);
  const variables = parseVarArguments((invocation.flags.var as string[] | undefined) ?? [], invocation.flags.vars as string | undefined);
  return { start, end, interval, concurrency, variables };
}

/** `pipewright backfill <pipeline>`: one run per interval between two dates, resumable. */
export const backfillVerb: Verb = {
  name: 'backfill',
  summary: 'Run a pipeline once per interval between two dates (each run with its execution_date); resumable.',
  usage:
    'pipewright backfill <PIPELINE> --start DATE --end DATE [--interval hour|day|week|month|"<n> <unit>"] [--var NAME=VALUE ...] [--vars JSON] [--concurrency N] [--force] [--dry-run [--json]] [--events FILE]',
  details:
    'Both ends are included: --start 2021-01-01 --end 2021-01-07 --interval day makes 7 runs.\n' +
    'Intervals that already have a completed run are skipped (the run history is the ledger), so a\n' +
    'stopped or partly failed backfill is finished by running it again; --force runs them all.',
  flags: {
    project: PROJECT_FLAG,
    start: { type: 'string', value: 'DATE', description: 'First execution_date (UTC unless the date says)' },
    end: { type: 'string', value: 'DATE', description: 'Last execution_date, included' },
    interval: { type: 'string', value: 'UNIT', description: 'hour, day (default), week, month, year, or "<n> <unit>"' },
    var: { type: 'string', value: 'NAME=VALUE', multiple: true, description: 'A variable for every run (the value reads as YAML)' },
    vars: { type: 'string', value: 'JSON', description: 'Variables for every run, as a JSON object' },
    concurrency: { type: 'string', value: 'N', description: 'Runs at the same time (default 1)' },
    force: { type: 'boolean', description: 'Run intervals that already succeeded again' },
    'dry-run': { type: 'boolean', description: 'List the runs it would make, and those it would skip' },
    json: { type: 'boolean', description: 'With --dry-run: the plan as JSON' },
    events: { type: 'string', value: 'FILE', description: "Append every run's events to FILE as JSON lines (for editors)" },
    profile: PROFILE_FLAG,
  },
  async run(invocation) {
    const root = projectDir(invocation);
    if (!root) return noProject(invocation);
    const project = loadProject(root);
    const name = invocation.positionals[0];
    const pipeline = namedPipeline(invocation, project, name);
    if (!pipeline) return 2;
    let options: ReturnType<typeof parseOptions>;
    let planned: PlannedRun[];
    try {
      options = parseOptions(invocation);
      planned = planBackfill({ project, pipeline, ...options, force: Boolean(invocation.flags.force) });
    } catch (error) {
      invocation.err(`error: ${(error as Error).message}`);
      return 2;
    }
    const toRun = planned.filter((p) => p.action === 'run').length;
    const label = backfillName(pipeline.uuid, options.start, options.end, options.interval);
    if (invocation.flags['dry-run'] && invocation.flags.json) {
      const intervals = planned.map((run) => ({
        execution_date: run.executionDate.toISOString(),
        start: run.start.toISOString(),
        end: run.end.toISOString(),
        action: run.action,
        previous_run_id: run.previousRunId ?? null,
      }));
      invocation.out(JSON.stringify({ pipeline: pipeline.uuid, backfill: label, to_run: toRun, done: planned.length - toRun, intervals } satisfies BackfillPlanJson, null, 2));
      return 0;
    }
    invocation.out(`${paint(invocation.color, 'bold', `Backfill ${label}`)}: ${planned.length} intervals, ${toRun} to run, ${planned.length - toRun} already done`);
    if (invocation.flags['dry-run']) {
      for (const run of planned) {
        const what = run.action === 'run' ? 'run ' : paint(invocation.color, 'dim', `skip (completed in ${run.previousRunId})`);
        invocation.out(`  ${when(run.executionDate).padEnd(16)}  [${when(run.start)} → ${when(run.end)})  ${what}`);
      }
      return 0;
    }
    if (!runnable(invocation, project, pipeline)) return 1;
    const controller = new AbortController();
    const stopListening = onStopSignals((count) => {
      if (count > 1) process.exit(130);
      invocation.err('\nStopping the backfill: running intervals are cancelled; run the same command again to resume (Ctrl-C again to exit at once)');
      controller.abort();
    });
    const started = Date.now();
    const eventsFile = invocation.flags.events as string | undefined;
    let finished = 0;
    try {
      const { results } = await runBackfill({
        project,
        pipeline,
        ...options,
        force: Boolean(invocation.flags.force),
        signal: controller.signal,
        profile: profileOf(invocation),
        onEvent: eventsFile ? (event) => appendFileSync(resolve(invocation.cwd, eventsFile), `${JSON.stringify(event)}\n`) : undefined,
        onRunDone: (run, result) => {
          if (result.status === 'skipped') return;
          finished++;
          const style = result.status === 'completed' ? 'green' : result.status === 'cancelled' ? 'yellow' : 'red';
          const failed = 'blocks' in result ? [...result.blocks].find(([, b]) => b.status === 'failed') : undefined;
          const why = failed ? `: ${failed[0]}: ${failed[1].error?.message.split('\n')[0] ?? ''}` : '';
          invocation.out(
            `  [${finished}/${toRun}] ${when(run.executionDate).padEnd(16)} ${paint(invocation.color, style, result.status)}${'runId' in result && result.runId ? `  ${result.runId}` : ''}${why}`,
          );
        },
      });
      const counts = new Map<string, number>();
      for (const status of results.values()) counts.set(status, (counts.get(status) ?? 0) + 1);
      const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
      const notRun = planned.length - results.size;
      const ok = [...results.values()].every((s) => s === 'completed' || s === 'skipped') && notRun === 0;
      invocation.out(
        paint(
          invocation.color,
          ok ? 'green' : 'red',
          `${ok ? '✔' : '✖'} backfill ${ok ? 'done' : 'incomplete'} in ${formatDuration(Date.now() - started)}: ${summary}${notRun ? `, ${notRun} not started` : ''}`,
        ),
      );
      if (!ok) invocation.out('  run the same command again to retry what did not complete');
      pruneProject(project);
      return ok ? 0 : controller.signal.aborted ? 130 : 1;
    } finally {
      stopListening();
    }
  },
};
