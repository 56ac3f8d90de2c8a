import { hostname } from 'node:os';
import { runPipeline, type RunOptions, type RunResult } from '../executor/run-pipeline.js';
import { readHistory } from '../history/run-history.js';
import { loadProject } from '../project/load-project.js';
import type { Pipeline, Trigger } from '../project/model.js';
import { claimRun } from './claims.js';
import { dueExecutionDates, nextBoundary, pastBoundaries } from './due.js';

/** What the scheduler needs from the outside, so tests can give it a clock and a runner. */
export interface SchedulerOptions {
  root: string;
  now?: () => Date;
  run?: (options: RunOptions) => Promise<RunResult>;
  log?: (line: string) => void;
  onEvent?: RunOptions['onEvent'];
}

/** A run the scheduler started. */
export interface StartedRun {
  pipeline: string;
  trigger: string;
  executionDate: Date;
  done: Promise<RunResult | undefined>;
}

/**
 * Turns active time triggers into runs. Each tick reads the project again (so trigger edits apply
 * without a restart), finds the execution dates that are due, claims each one (so two schedulers or
 * a restarted one never start it twice) and starts its run.
 */
export class Scheduler {
  private readonly now: () => Date;
  private readonly upSince: Date;
  private readonly running = new Map<string, Set<Promise<unknown>>>();
  private readonly controller = new AbortController();
  private stopping = false;
  private readonly id = `${hostname()}:${process.pid}:${Date.now()}`;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    this.upSince = this.now();
  }

  /** Runs of a trigger still going. */
  private runningOf(key: string): Set<Promise<unknown>> {
    const set = this.running.get(key) ?? new Set();
    this.running.set(key, set);
    return set;
  }

  /** One pass over every trigger; returns the runs it started. */
  tick(): StartedRun[] {
    if (this.stopping) return [];
    const now = this.now();
    const project = loadProject(this.options.root);
    const history = readHistory(this.options.root);
    const started: StartedRun[] = [];
    for (const pipeline of project.pipelines.values()) {
      for (const trigger of pipeline.triggers) {
        if (trigger.status !== 'active' || trigger.scheduleType !== 'time') continue;
        const last = history
          .filter((r) => r.pipeline === pipeline.uuid && r.trigger === trigger.name)
          .map((r) => new Date(r.executionDate))
          .sort((a, b) => b.getTime() - a.getTime())[0];
        let due: Date[];
        try {
          due = dueExecutionDates(trigger, { now, lastRun: last, upSince: this.upSince });
        } catch (error) {
          this.options.log?.(`${pipeline.uuid}/${trigger.name}: ${(error as Error).message}`);
          continue;
        }
        for (const executionDate of due) {
          const run = this.start(pipeline, trigger, executionDate);
          if (run) started.push(run);
        }
      }
    }
    return started;
  }

  private start(pipeline: Pipeline, trigger: Trigger, executionDate: Date): StartedRun | undefined {
    const key = `${pipeline.uuid}\u0000${trigger.name}`;
    const running = this.runningOf(key);
    if (trigger.settings.skip_if_previous_running === true && running.size > 0) {
      this.options.log?.(`${pipeline.uuid}/${trigger.name}: ${executionDate.toISOString()} skipped, the previous run is still going (skip_if_previous_running)`);
      return undefined;
    }
    if (!claimRun(this.options.root, { pipeline: pipeline.uuid, trigger: trigger.name, executionDate, by: this.id })) return undefined;
    const previous = pastBoundaries(trigger, new Date(executionDate.getTime() - 1), 1)[0];
    const end = nextBoundary(trigger, executionDate) ?? new Date(executionDate.getTime() + 86_400_000);
    this.options.log?.(`${pipeline.uuid}/${trigger.name}: starting the run for ${executionDate.toISOString()}`);
    const run = this.options.run ?? runPipeline;
    const done = run({
      project: loadProject(this.options.root),
      pipeline,
      trigger,
      executionDate,
      interval: { start: executionDate, end, previousStart: previous },
      signal: this.controller.signal,
      onEvent: this.options.onEvent,
    }).then(
      (result) => {
        this.options.log?.(`${pipeline.uuid}/${trigger.name}: ${executionDate.toISOString()} ${result.status} (${result.runId})`);
        return result;
      },
      (error: unknown) => {
        this.options.log?.(`${pipeline.uuid}/${trigger.name}: ${executionDate.toISOString()} could not run: ${(error as Error).message}`);
        return undefined;
      },
    );
    running.add(done);
    void done.finally(() => running.delete(done));
    return { pipeline: pipeline.uuid, trigger: trigger.name, executionDate, done };
  }

  /** Runs still going. */
  get active(): number {
    return [...this.running.values()].reduce((n, set) => n + set.size, 0);
  }

  /** Waits for the runs still going; with `cancel`, cancels them first. */
  async stop(options: { cancel: boolean }): Promise<void> {
    this.stopping = true;
    if (options.cancel) this.controller.abort();
    await Promise.all([...this.running.values()].flatMap((set) => [...set]));
  }
}
