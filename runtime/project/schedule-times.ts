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

/** What schedule times are computed from. */
export type ScheduleOf = Pick<Trigger, 'scheduleInterval'> & Partial<Pick<Trigger, 'startTime' | 'timezone' | 'settings'>>;

/** The wall-clock fields of a date in a time zone. */
function wallClock(date: Date, timezone: string): { minute: number; hour: number; day: number; weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', weekday: 'short' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return { minute: Number(parts.minute), hour: Number(parts.hour), day: Number(parts.day), weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday) };
}

/**
 * Mage's landing_time_enabled (hourly, daily, weekly and monthly triggers): start_time is when each
 * run should have finished, so the schedule's times are at start_time's minute, hour, weekday or day
 * instead of 00:00. Undefined when the trigger does not use it.
 */
function landingCron(trigger: ScheduleOf): string | undefined {
  const interval = trigger.scheduleInterval?.trim();
  if (trigger.settings?.landing_time_enabled !== true || !interval || !(interval in PRESET_CRON) || !trigger.startTime) return undefined;
  const start = parseStartTime(trigger.startTime);
  if (!start) return undefined;
  const { minute, hour, day, weekday } = wallClock(start, trigger.timezone ?? 'UTC');
  return { '@hourly': `${minute} * * * *`, '@daily': `${minute} ${hour} * * *`, '@weekly': `${minute} ${hour} * * ${weekday}`, '@monthly': `${minute} ${hour} ${day} * *` }[
    interval
  ];
}

/** The cron a trigger's schedule_interval stands for; undefined for @once, @always_on and nothing. */
export function scheduleCron(trigger: ScheduleOf): string | undefined {
  const interval = trigger.scheduleInterval?.trim();
  if (!interval || (interval.startsWith('@') && !(interval in PRESET_CRON))) return undefined;
  return landingCron(trigger) ?? PRESET_CRON[interval] ?? interval;
}

/**
 * How long before its landing time a run starts (landing_time_enabled): the mean duration of the
 * trigger's recent completed runs plus half their standard deviation, as Mage estimates it; 0 with
 * no history.
 */
export function landingLeadMs(durationsMs: number[]): number {
  if (durationsMs.length === 0) return 0;
  const mean = durationsMs.reduce((a, b) => a + b, 0) / durationsMs.length;
  const deviation = Math.sqrt(durationsMs.reduce((sum, d) => sum + (d - mean) ** 2, 0) / durationsMs.length);
  return Math.round(mean + deviation / 2);
}

/**
 * The next `count` times a time trigger fires after `from`, in its time zone (UTC unless the
 * trigger's `timezone` says; daylight-saving changes follow the zone's rules), never before its
 * start_time. `@once` fires once at start_time; `@always_on` has no times.
 */
export function nextRunTimes(trigger: ScheduleOf, from: Date, count: number): Date[] {
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
