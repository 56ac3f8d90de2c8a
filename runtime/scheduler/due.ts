import { CronExpressionParser } from 'cron-parser';
import type { Trigger } from '../project/model.js';
import { parseStartTime } from '../project/schedule.js';
import { scheduleCron } from '../project/schedule-times.js';

/** The most runs `catch_up: all` starts at once, so a long outage cannot flood the machine. */
export const CATCH_UP_LIMIT = 1000;

type Schedule = Pick<Trigger, 'scheduleInterval' | 'startTime' | 'timezone' | 'catchUp'> & Partial<Pick<Trigger, 'settings'>>;

/** The boundaries of a trigger's schedule at or before `now`, newest first (at most `limit`), not before start_time. */
export function pastBoundaries(trigger: Schedule, now: Date, limit: number): Date[] {
  const start = trigger.startTime ? parseStartTime(trigger.startTime) : undefined;
  if (trigger.scheduleInterval?.trim() === '@once') return start && start <= now ? [start] : [];
  const cron = scheduleCron(trigger);
  if (!cron) return [];
  const times = CronExpressionParser.parse(cron, { currentDate: new Date(now.getTime() + 1), tz: trigger.timezone ?? 'UTC' });
  const found: Date[] = [];
  while (found.length < limit) {
    const at = times.prev().toDate();
    if (start && at < start) break;
    found.push(at);
  }
  return found;
}

/** The boundary after `date` in the trigger's schedule (the end of the interval that starts there). */
export function nextBoundary(trigger: Schedule, date: Date): Date | undefined {
  const cron = scheduleCron(trigger);
  if (!cron) return undefined;
  return CronExpressionParser.parse(cron, { currentDate: date, tz: trigger.timezone ?? 'UTC' })
    .next()
    .toDate();
}

/**
 * The execution dates a trigger should run now, oldest first. As in Mage, an execution date is the
 * boundary just passed. `catch_up` (Pipewright's key; Mage has none): `latest` (the default, Mage's
 * behaviour) runs only the newest boundary; `all` runs every boundary missed since the newest one
 * already run (or since start_time); `none` runs a boundary only if it passed while the scheduler was up.
 */
export function dueExecutionDates(trigger: Schedule, options: { now: Date; lastRun?: Date; upSince: Date }): Date[] {
  const policy = trigger.catchUp ?? 'latest';
  const boundaries = pastBoundaries(trigger, options.now, policy === 'all' ? CATCH_UP_LIMIT : 1);
  const fresh = boundaries.filter((b) => !options.lastRun || b > options.lastRun);
  if (policy === 'none') return fresh.filter((b) => b >= options.upSince).slice(0, 1);
  return fresh.reverse();
}
