/** A backfill interval: a count of units. */
export interface IntervalSpec {
  count: number;
  unit: 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as const;

/** Reads `hour`, `day`, `week`, `month`, `year`, or `"<n> <unit>"` such as `"6 hours"`. */
export function parseInterval(text: string): IntervalSpec {
  const match = /^\s*(?:(\d+)\s*)?(minute|hour|day|week|month|year)s?\s*$/i.exec(text);
  if (!match) throw new Error(`--interval ${text}: use hour, day, week, month, year, or "<n> <unit>" such as "6 hours"`);
  const count = match[1] === undefined ? 1 : Number(match[1]);
  if (count < 1) throw new Error(`--interval ${text}: the count must be at least 1`);
  return { count, unit: match[2].toLowerCase() as IntervalSpec['unit'] };
}

/** Adds months as Mage's relativedelta does: Jan 31 + 1 month is the last day of February. */
function addMonths(date: Date, months: number): Date {
  const target = new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target;
}

/** The instant `steps` intervals after `date` (before it when negative). */
export function addInterval(date: Date, spec: IntervalSpec, steps = 1): Date {
  if (spec.unit === 'month') return addMonths(date, spec.count * steps);
  if (spec.unit === 'year') return addMonths(date, 12 * spec.count * steps);
  return new Date(date.getTime() + UNIT_MS[spec.unit] * spec.count * steps);
}

/** One run of a backfill. */
export interface BackfillInterval {
  executionDate: Date;
  start: Date;
  end: Date;
  previousStart: Date;
}

/**
 * Every interval from `start` while it is not after `end` (both ends inclusive, as Mage does), each
 * run's execution_date being its interval's start. Steps are counted from `start`, so month ends do
 * not drift (Jan 31, Feb 28, Mar 31).
 */
export function backfillIntervals(start: Date, end: Date, spec: IntervalSpec, limit = 100_000): BackfillInterval[] {
  if (end < start) throw new Error(`--end ${end.toISOString()} is before --start ${start.toISOString()}`);
  const intervals: BackfillInterval[] = [];
  for (let step = 0; ; step++) {
    const at = addInterval(start, spec, step);
    if (at > end) break;
    if (intervals.length >= limit) throw new Error(`That backfill would create more than ${limit} runs: narrow the dates or widen --interval`);
    intervals.push({ executionDate: at, start: at, end: addInterval(start, spec, step + 1), previousStart: addInterval(start, spec, step - 1) });
  }
  return intervals;
}
