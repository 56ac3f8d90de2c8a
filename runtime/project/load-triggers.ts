import { addProblems, type Loaded, type Problem } from '../problem.js';
import { validateSchema } from '../schema/validate-schema.js';
import type { Trigger } from './model.js';
import { isValidTimezone, parseStartTime, scheduleIntervalError } from './schedule.js';
import { keyRange, parseYamlFile, valueRange, type YamlFile } from '../yaml/yaml-file.js';

/** Reads a pipeline's triggers.yaml (Mage's format), checking schedules, start times and names. */
export function readTriggers(path: string, text: string): Loaded<Trigger[]> & { file: YamlFile } {
  const { file, problems } = parseYamlFile(path, text);
  const triggers: Trigger[] = [];
  if (problems.some((p) => p.code === 'yaml-syntax') || file.value === null) return { file, value: triggers, problems };
  addProblems(problems, validateSchema(file, 'triggers'));
  const list = (file.value as Record<string, unknown>)?.triggers;
  if (!Array.isArray(list)) return { file, value: triggers, problems };
  const names = new Map<string, number>();
  list.forEach((entry, index) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return;
    const raw = entry as Record<string, unknown>;
    if (raw.name === undefined || raw.name === null) return; // the schema has reported it
    const trigger = readTrigger(raw, index);
    const earlier = names.get(trigger.name);
    if (earlier !== undefined) {
      problems.push({
        code: 'duplicate-trigger',
        severity: 'error',
        message: `Trigger name "${trigger.name}" is already used by trigger ${earlier + 1}: names must be unique within a pipeline`,
        range: valueRange(file, ['triggers', index, 'name']),
      });
    }
    names.set(trigger.name, index);
    addProblems(problems, checkTrigger(file, trigger));
    triggers.push(trigger);
  });
  return { file, value: triggers, problems };
}

function map(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function readTrigger(raw: Record<string, unknown>, index: number): Trigger {
  const catchUp = raw.catch_up;
  return {
    name: String(raw.name),
    scheduleType: text(raw.schedule_type) ?? 'time',
    scheduleInterval: text(raw.schedule_interval),
    startTime: text(raw.start_time),
    // Mage's default status is inactive: a trigger runs only when it says active.
    status: raw.status === 'active' ? 'active' : 'inactive',
    variables: map(raw.variables),
    settings: map(raw.settings),
    timezone: text(raw.timezone),
    catchUp: catchUp === 'none' || catchUp === 'latest' || catchUp === 'all' ? catchUp : undefined,
    path: ['triggers', index],
    raw,
  };
}

function checkTrigger(file: YamlFile, trigger: Trigger): Problem[] {
  const problems: Problem[] = [];
  const at = (key: string) => valueRange(file, [...trigger.path, key]);
  if (trigger.scheduleInterval !== undefined) {
    const error = scheduleIntervalError(trigger.scheduleInterval);
    if (error) problems.push({ code: 'invalid-schedule', severity: 'error', message: error, range: at('schedule_interval') });
  } else if (trigger.scheduleType === 'time' && trigger.status === 'active') {
    problems.push({
      code: 'invalid-schedule',
      severity: 'warning',
      message: `Active time trigger "${trigger.name}" has no schedule_interval, so it never runs: add one such as '@daily'`,
      range: keyRange(file, trigger.path),
    });
  }
  if (trigger.startTime !== undefined && !parseStartTime(trigger.startTime)) {
    problems.push({
      code: 'invalid-start-time',
      severity: 'error',
      message: `Invalid start_time "${trigger.startTime}": write a date and time such as 2024-01-01 00:00:00 (UTC) or 2024-01-01T00:00:00+01:00`,
      range: at('start_time'),
    });
  }
  if (trigger.timezone !== undefined && !isValidTimezone(trigger.timezone)) {
    problems.push({
      code: 'invalid-schedule',
      severity: 'error',
      message: `Unknown time zone "${trigger.timezone}": use an IANA name such as UTC or Europe/Amsterdam`,
      range: at('timezone'),
    });
  }
  return problems;
}
