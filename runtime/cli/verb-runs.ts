import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blockRunDir } from '../executor/run-dirs.js';
import { findRun, readHistory, type RunRecord } from '../history/run-history.js';
import { PROJECT_FLAG, type Verb } from './command.js';
import { paint } from './output.js';
import { noProject, projectDir } from './project-arg.js';
import { formatDuration } from '../duration.js';
import type { RunJson } from '../protocol.js';

/** A run as `pipewright runs --json` gives it. */
export function runJson(run: RunRecord): RunJson {
  return {
    id: run.runId,
    pipeline: run.pipeline,
    status: run.status,
    execution_date: run.executionDate,
    trigger: run.trigger ?? null,
    backfill: run.backfill ?? null,
    partial: run.partial,
    started_at: run.startedAt,
    ended_at: run.endedAt ?? null,
    duration_ms: run.durationMs ?? null,
    blocks: [...run.blocks.values()].map((b) => ({
      block: b.block,
      status: b.status,
      attempts: b.attempts,
      duration_ms: b.durationMs ?? null,
      rows: b.output?.kind === 'table' ? b.output.rows : null,
      columns: b.output?.columns ?? null,
      error: b.error ?? null,
      upstream_from: b.upstreamFrom ?? null,
      ...(b.children ? { children: b.children } : {}),
      ...(b.parent ? { parent: b.parent } : {}),
      ...(b.callbacks ? { callbacks: b.callbacks } : {}),
    })),
  };
}

const STATUS_STYLE = { completed: 'green', failed: 'red', interrupted: 'red', cancelled: 'yellow', running: 'cyan' } as const;

/** `pipewright runs [pipeline]`: the run history, newest first. */
export const runsVerb: Verb = {
  name: 'runs',
  summary: 'List past and running pipeline runs, newest first.',
  usage: 'pipewright runs [PIPELINE] [--json] [--limit N]',
  flags: {
    project: PROJECT_FLAG,
    json: { type: 'boolean', description: 'Print the runs as JSON (each with its block runs)' },
    limit: { type: 'string', value: 'N', description: 'At most N runs (default 20; 0 for all)' },
  },
  run(invocation) {
    const dir = projectDir(invocation);
    if (!dir) return noProject(invocation);
    const pipeline = invocation.positionals[0];
    const limit = Number(invocation.flags.limit ?? 20);
    let runs = readHistory(dir)
      .filter((r) => !pipeline || r.pipeline === pipeline)
      .reverse();
    if (limit > 0) runs = runs.slice(0, limit);
    if (invocation.flags.json) {
      invocation.out(JSON.stringify(runs.map(runJson), null, 2));
      return 0;
    }
    if (runs.length === 0) {
      invocation.out(`No runs${pipeline ? ` of ${pipeline}` : ''} yet: start one with pipewright run <PIPELINE>`);
      return 0;
    }
    for (const run of runs) {
      // A block's runs per item count once, as their block; they are listed under it with --json.
      const all = [...run.blocks.values()];
      const blocks = all.filter((b) => !b.parent);
      const perItem = all.length - blocks.length;
      const done = blocks.filter((b) => b.status === 'completed').length;
      const via = run.trigger ? `trigger ${run.trigger}` : run.backfill ? 'backfill' : 'manual';
      const status = paint(invocation.color, STATUS_STYLE[run.status], run.status.padEnd(11));
      invocation.out(
        `${run.runId}  ${run.pipeline.padEnd(20)} ${status} ${run.executionDate.slice(0, 19)}  ${via.padEnd(16)} ${run.durationMs === undefined ? '' : formatDuration(run.durationMs).padStart(8)}  ${done}/${blocks.length} blocks${perItem > 0 ? ` (${perItem} runs per item)` : ''}`,
      );
    }
    return 0;
  },
};

/** `pipewright logs <run>`: the log of each block of a run. */
export const logsVerb: Verb = {
  name: 'logs',
  summary: 'Print the logs of a run, or of one of its blocks.',
  usage: 'pipewright logs <RUN_ID> [--block UUID]',
  details: 'RUN_ID may be a unique prefix of a run id (see pipewright runs).',
  flags: { project: PROJECT_FLAG, block: { type: 'string', value: 'UUID', description: "Only this block's log" } },
  run(invocation) {
    const dir = projectDir(invocation);
    if (!dir) return noProject(invocation);
    const id = invocation.positionals[0];
    const runs = readHistory(dir);
    const run = id ? findRun(runs, id) : undefined;
    if (!run) {
      const matches = id ? runs.filter((r) => r.runId.startsWith(id)).length : 0;
      const why = !id ? 'Name a run' : matches > 1 ? `"${id}" matches ${matches} runs; give more of the id` : `No run matches "${id}"`;
      invocation.err(`error: ${why}: see pipewright runs`);
      return 2;
    }
    const wanted = invocation.flags.block as string | undefined;
    const blocks = wanted ? [wanted] : [...run.blocks.keys()];
    if (wanted && !run.blocks.has(wanted)) {
      invocation.err(`error: Run ${run.runId} has no block "${wanted}" (blocks: ${[...run.blocks.keys()].join(', ')})`);
      return 2;
    }
    for (const block of blocks) {
      const record = run.blocks.get(block)!;
      const file = join(blockRunDir(dir, run.runId, block), 'log.txt');
      invocation.out(paint(invocation.color, 'bold', `── ${block} (${record.status}) ──`));
      invocation.out(existsSync(file) ? readFileSync(file, 'utf8').trimEnd() || '(empty log)' : '(no log)');
      if (record.error) invocation.out(`error: ${record.error.message}`);
    }
    return 0;
  },
};
