import { parseDocument } from 'yaml';
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

/**
 * The run variables given on the command line, typed as Mage types its runtime variables: `--vars`
 * takes a JSON object, then each `--var name=value` is read as a YAML value (`month=1` is the number
 * 1, `ok=true` a boolean, `months=[1, 2]` a list); quote to keep a string: `code='01'`.
 */
export function parseVarArguments(args: string[], json?: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new Error(`--vars ${json}: not JSON (${(error as Error).message}); write an object such as '{"months": [1, 2]}'`, { cause: error });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`--vars ${json}: give a JSON object such as '{"months": [1, 2]}'`);
    Object.assign(values, parsed);
  }
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new Error(`--var ${arg}: write --var name=value`);
    values[arg.slice(0, at)] = yamlValue(arg.slice(at + 1));
  }
  return values;
}

/** A value as YAML reads it; text that YAML would turn into a map (`a: b`) or cannot read stays text. */
function yamlValue(raw: string): unknown {
  const text = raw.trim();
  if (text === '') return raw;
  const document = parseDocument(text, { schema: 'core' });
  if (document.errors.length > 0) return raw;
  const value: unknown = document.toJS();
  const collection = value !== null && typeof value === 'object';
  return collection && !/^[[{]/.test(text) ? raw : value;
}
