import type { Pipeline, Trigger } from '../project/model.js';

/** The interval a run is for, as Mage computes it for scheduled runs and backfills. */
export interface RunInterval {
  start: Date;
  end: Date;
  previousStart?: Date;
}

/** Options of `runVariables`. */
export interface RunVariableOptions {
  pipeline: Pipeline;
  trigger?: Pick<Trigger, 'name' | 'variables'>;
  /** Backfill or `--var` values, the last word. */
  overrides: Record<string, unknown>;
  executionDate: Date;
  interval?: RunInterval;
  /** `dev` for runs started by hand, `prod` for scheduled runs, as in Mage. */
  env: string;
  runId: string;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * The variables a run's blocks receive, merged as Mage merges them: pipeline variables, then the
 * trigger's, then backfill or --var values; then Mage's own names, computed from the execution date.
 * A manual run without an interval gets Mage's editor interval: the execution date plus one day.
 */
export function runVariables(options: RunVariableOptions): Record<string, unknown> {
  const date = options.executionDate;
  const interval = options.interval ?? { start: date, end: new Date(date.getTime() + 86400_000) };
  const variables: Record<string, unknown> = {
    ...options.pipeline.variables,
    ...(options.trigger?.variables ?? {}),
    ...options.overrides,
    execution_date: date.toISOString(),
    ds: `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`,
    hr: pad(date.getUTCHours()),
    interval_start_datetime: interval.start.toISOString(),
    interval_end_datetime: interval.end.toISOString(),
    interval_seconds: Math.round((interval.end.getTime() - interval.start.getTime()) / 1000),
    pipeline_uuid: options.pipeline.uuid,
    pipeline_run_id: options.runId,
    env: typeof options.overrides.env === 'string' ? options.overrides.env : options.env,
  };
  if (interval.previousStart) variables.interval_start_datetime_previous = interval.previousStart.toISOString();
  if (options.trigger) variables.trigger_name = options.trigger.name;
  return variables;
}

/** Parses `--var key=value` arguments; values that read as JSON (numbers, true, lists) are parsed. */
export function parseVarArguments(args: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new Error(`--var ${arg}: write --var name=value`);
    const raw = arg.slice(at + 1);
    let value: unknown = raw;
    if (/^(-?\d+(\.\d+)?|true|false|null|\[.*\]|\{.*\})$/s.test(raw.trim())) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    values[arg.slice(0, at)] = value;
  }
  return values;
}
