import { hostname } from 'node:os';
import { runPipeline, type RunOptions, type RunResult } from '../executor/run-pipeline.js';
import { readHistory, type RunRecord } from '../history/run-history.js';
import { loadProject } from '../project/load-project.js';
import type { Pipeline, Trigger } from '../project/model.js';
import { claimRun } from './claims.js';
import { landingLeadMs } from '../project/schedule-times.js';
import { parseStartTime } from '../project/schedule.js';
import { dueExecutionDates, nextBoundary, pastBoundaries } from './due.js';

/** What the scheduler needs from the outside, so tests can give it a clock and a runner. */
export interface SchedulerOptions {
  root: string;
  now?: () => Date;
  run?: (options: RunOptions) => Promise<RunResult>;
  log?: (line: string) => void;
  onEvent?: RunOptions['onEvent'];
  /** The environment triggers' `envs` are matched against (default: the ENV variable, else dev, as Mage). */
  env?: string;
  /** The io_config.yaml profile the runs use (default: default). */
  profile?: string;
}

/** A positive number from a trigger setting, or undefined. */
function positive(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
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
    const env = this.options.env ?? process.env.ENV ?? 'dev';
    for (const pipeline of project.pipelines.values()) {
      for (const trigger of pipeline.triggers) {
        if (trigger.status !== 'active' || trigger.scheduleType !== 'time') continue;
        // Mage's envs: a trigger that lists environments runs only in those.
        const envs = Array.isArray(trigger.raw.envs) ? trigger.raw.envs.map(String) : [];
        if (envs.length > 0 && !envs.includes(env)) continue;
        if (trigger.scheduleInterval?.trim() === '@always_on') {
          const run = this.keepOn(pipeline, trigger, now, history);
          if (run) started.push(run);
          continue;
        }
        const last = history
          .filter((r) => r.pipeline === pipeline.uuid && r.trigger === trigger.name)
          .map((r) => new Date(r.executionDate))
          .sort((a, b) => b.getTime() - a.getTime())[0];
        // landing_time_enabled: a run starts early enough to finish by its execution_date.
        const lead = trigger.settings.landing_time_enabled === true ? landingLeadMs(this.recentDurations(history, pipeline.uuid, trigger.name)) : 0;
        let due: Date[];
        try {
          due = dueExecutionDates(trigger, { now: new Date(now.getTime() + lead), lastRun: last, upSince: this.upSince });
        } catch (error) {
          this.options.log?.(`${pipeline.uuid}/${trigger.name}: ${(error as Error).message}`);
          continue;
        }
        // Mage's create_initial_pipeline_run: a trigger whose start_time lies before the current
        // period also runs once for its start_time, before it has any run.
        const startTime = trigger.startTime ? parseStartTime(trigger.startTime) : undefined;
        if (trigger.settings.create_initial_pipeline_run === true && !last && startTime && startTime <= now && !due.some((d) => d.getTime() === startTime.getTime())) {
          due = [startTime, ...due];
        }
        for (const executionDate of due) {
          const run = this.start(pipeline, trigger, executionDate);
          if (run) started.push(run);
        }
      }
    }
    return started;
  }

  /** Durations of a trigger's last ten completed runs. */
  private recentDurations(history: RunRecord[], pipeline: string, trigger: string): number[] {
    return history
      .filter((r) => r.pipeline === pipeline && r.trigger === trigger && r.status === 'completed' && r.durationMs !== undefined)
      .slice(-10)
      .map((r) => r.durationMs!);
  }

  /**
   * `@always_on` (Mage's, for pipelines that never end, such as streaming): a new run whenever none of
   * the trigger's runs is going, in this scheduler or any other (the run history knows live runs). Its
   * execution_date is the second it starts, which is also what two schedulers claim.
   */
  private keepOn(pipeline: Pipeline, trigger: Trigger, now: Date, history: RunRecord[]): StartedRun | undefined {
    if (this.runningOf(`${pipeline.uuid}\u0000${trigger.name}`).size > 0) return undefined;
    if (history.some((r) => r.pipeline === pipeline.uuid && r.trigger === trigger.name && r.status === 'running')) return undefined;
    return this.start(pipeline, trigger, new Date(Math.floor(now.getTime() / 1000) * 1000));
  }

  private start(pipeline: Pipeline, trigger: Trigger, executionDate: Date): StartedRun | undefined {
    const key = `${pipeline.uuid}\u0000${trigger.name}`;
    const running = this.runningOf(key);
    if (trigger.settings.skip_if_previous_running === true && running.size > 0) {
      this.options.log?.(`${pipeline.uuid}/${trigger.name}: ${executionDate.toISOString()} skipped, the previous run is still going (skip_if_previous_running)`);
      return undefined;
    }
    const limit = positive(trigger.settings.pipeline_run_limit);
    if (limit !== undefined && running.size >= limit) {
      this.options.log?.(`${pipeline.uuid}/${trigger.name}: ${executionDate.toISOString()} waits, ${running.size} of its runs are going (pipeline_run_limit: ${limit})`);
      return undefined;
    }
    if (!claimRun(this.options.root, { pipeline: pipeline.uuid, trigger: trigger.name, executionDate, by: this.id })) return undefined;
    const previous = pastBoundaries(trigger, new Date(executionDate.getTime() - 1), 1)[0];
    const end = nextBoundary(trigger, executionDate) ?? new Date(executionDate.getTime() + (trigger.scheduleInterval?.trim() === '@always_on' ? 60_000 : 86_400_000));
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
      timeoutSeconds: positive(trigger.settings.timeout),
      timeoutStatus: trigger.settings.timeout_status === 'cancelled' ? 'cancelled' : 'failed',
      stopOnBlockFailure: trigger.settings.allow_blocks_to_fail !== true,
      profile: this.options.profile,
    }).then(
      (result) => {
        const why = result.timedOut ? `, timed out after ${String(trigger.settings.timeout)} s (settings.timeout)` : '';
        this.options.log?.(`${pipeline.uuid}/${trigger.name}: ${executionDate.toISOString()} ${result.status}${why} (${result.runId})`);
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
