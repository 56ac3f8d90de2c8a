import { CronExpressionParser } from 'cron-parser';
import { parseStartTime } from './schedule.js';
import type { Trigger } from './model.js';

/** Mage's presets as cron: all at 00:00, weeks starting on Monday (`PipelineSchedule.current_execution_date`). */
const PRESET_CRON: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 1',
  '@monthly': '0 0 1 * *',
};

/** The cron a trigger's schedule_interval stands for; undefined for @once, @always_on and nothing. */
export function scheduleCron(trigger: Pick<Trigger, 'scheduleInterval'>): string | undefined {
  const interval = trigger.scheduleInterval?.trim();
  if (!interval || (interval.startsWith('@') && !(interval in PRESET_CRON))) return undefined;
  return PRESET_CRON[interval] ?? interval;
}

/**
 * The next `count` times a time trigger fires after `from`, in its time zone (UTC unless the
 * trigger's `timezone` says; daylight-saving changes follow the zone's rules), never before its
 * start_time. `@once` fires once at start_time; `@always_on` has no times.
 */
export function nextRunTimes(trigger: Pick<Trigger, 'scheduleInterval' | 'startTime' | 'timezone'>, from: Date, count: number): Date[] {
  const interval = trigger.scheduleInterval?.trim();
  if (!interval || interval === '@always_on') return [];
  const start = trigger.startTime ? parseStartTime(trigger.startTime) : undefined;
  if (interval === '@once') return start && start > from ? [start] : [];
  const cron = scheduleCron(trigger);
  if (!cron) return [];
  const after = start && start > from ? new Date(start.getTime() - 1) : from;
  const times = CronExpressionParser.parse(cron, { currentDate: after, tz: trigger.timezone ?? 'UTC' });
  const result: Date[] = [];
  while (result.length < count) result.push(times.next().toDate());
  return result;
}
