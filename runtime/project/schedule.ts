import { CronExpressionParser } from 'cron-parser';

/** Mage's schedule presets. */
export const SCHEDULE_PRESETS = ['@once', '@hourly', '@daily', '@weekly', '@monthly', '@always_on'] as const;

/** Why a schedule_interval is not valid, or undefined when it is. */
export function scheduleIntervalError(interval: string): string | undefined {
  const value = interval.trim();
  if (value.startsWith('@')) {
    if ((SCHEDULE_PRESETS as readonly string[]).includes(value)) return undefined;
    return `Unknown schedule "${value}": use one of ${SCHEDULE_PRESETS.join(', ')} or a 5-field cron such as "0 6 * * *"`;
  }
  const fields = value.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return `Cron "${value}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; it needs 5: minute hour day-of-month month day-of-week, as in "0 6 * * *"`;
  }
  try {
    CronExpressionParser.parse(value, { tz: 'UTC' });
    return undefined;
  } catch (error) {
    return `Invalid cron "${value}": ${(error as Error).message}`;
  }
}

const START_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses a trigger's start_time as Mage writes it (`2024-05-16 10:00:00+00:00`); undefined when invalid. */
export function parseStartTime(text: string): Date | undefined {
  const match = START_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = match;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(Number(y), month, 0)).getUTCDate()) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offset = 'Z';
  if (zone && zone !== 'Z') offset = zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Whether the runtime knows an IANA time zone name. */
export function isValidTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
