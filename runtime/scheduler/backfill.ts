import { EmbeddedPostgres } from '../connectors/embedded-postgres.js';
import { runPipeline, type RunResult } from '../executor/run-pipeline.js';
import { readHistory } from '../history/run-history.js';
import type { Pipeline, Project } from '../project/model.js';
import type { RunEvent } from '../protocol.js';
import { backfillIntervals, type BackfillInterval, type IntervalSpec } from './intervals.js';

/** One interval of a backfill and what happens to it. */
export interface PlannedRun extends BackfillInterval {
  /** `skip`: a completed run for this execution_date is already in the history. */
  action: 'run' | 'skip';
  previousRunId?: string;
}

/** What a backfill covers. */
export interface BackfillOptions {
  project: Project;
  pipeline: Pipeline;
  start: Date;
  end: Date;
  interval: IntervalSpec;
  variables?: Record<string, unknown>;
  /** Runs at the same time (default 1). */
  concurrency?: number;
  /** Run intervals that already succeeded again. */
  force?: boolean;
  profile?: string;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  onRunDone?: (planned: PlannedRun, result: RunResult | { status: 'skipped' }, index: number) => void;
}

/**
 * The runs a backfill would make. The ledger is the run history, keyed by pipeline and
 * execution_date: an interval with a completed whole-pipeline run is skipped unless `force`.
 */
export function planBackfill(options: Pick<BackfillOptions, 'project' | 'pipeline' | 'start' | 'end' | 'interval' | 'force'>): PlannedRun[] {
  const done = new Map<string, string>();
  for (const run of readHistory(options.project.root)) {
    if (run.pipeline === options.pipeline.uuid && run.status === 'completed' && !run.partial) done.set(Date.parse(run.executionDate).toString(), run.runId);
  }
  return backfillIntervals(options.start, options.end, options.interval).map((interval) => {
    const previousRunId = done.get(interval.executionDate.getTime().toString());
    return { ...interval, action: previousRunId && !options.force ? 'skip' : 'run', previousRunId };
  });
}

/** The name a backfill's runs carry in the history. */
export function backfillName(pipeline: string, start: Date, end: Date, interval: IntervalSpec): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return `${pipeline} ${day(start)}..${day(end)} every ${interval.count} ${interval.unit}${interval.count > 1 ? 's' : ''}`;
}

/**
 * Runs a backfill: one pipeline run per interval, `concurrency` at a time. A failed interval does
 * not stop the others; a cancel stops starting new ones and cancels those running. Re-running the
 * same backfill runs only what has not succeeded.
 */
export async function runBackfill(options: BackfillOptions): Promise<{ planned: PlannedRun[]; results: Map<number, RunResult['status'] | 'skipped'> }> {
  const planned = planBackfill(options);
  const name = backfillName(options.pipeline.uuid, options.start, options.end, options.interval);
  const results = new Map<number, RunResult['status'] | 'skipped'>();
  const embeddedPostgres = new EmbeddedPostgres(options.project.root);
  const signal = options.signal ?? new AbortController().signal;
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= planned.length || signal.aborted) return;
      const run = planned[index];
      if (run.action === 'skip') {
        results.set(index, 'skipped');
        options.onRunDone?.(run, { status: 'skipped' }, index);
        continue;
      }
      let result: RunResult;
      try {
        result = await runPipeline({
          project: options.project,
          pipeline: options.pipeline,
          overrides: options.variables ?? {},
          executionDate: run.executionDate,
          interval: { start: run.start, end: run.end, previousStart: run.previousStart },
          backfill: name,
          profile: options.profile,
          concurrency: 1,
          signal,
          onEvent: options.onEvent,
          embeddedPostgres,
        });
      } catch (error) {
        // Ctrl-C reaches esbuild's process too, and a compile cut short throws: that is a cancel.
        if (signal.aborted) {
          results.set(index, 'cancelled');
          options.onRunDone?.(run, { runId: '', status: 'cancelled', blocks: new Map() }, index);
          return;
        }
        results.set(index, 'failed');
        options.onRunDone?.(
          run,
          { runId: '', status: 'failed', blocks: new Map([['(run)', { status: 'failed', error: { code: 'runtime', message: (error as Error).message } }]]) },
          index,
        );
        continue;
      }
      results.set(index, result.status);
      options.onRunDone?.(run, result, index);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  } finally {
    await embeddedPostgres.stop();
  }
  return { planned, results };
}
