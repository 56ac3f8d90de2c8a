import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStartTime, scheduleIntervalError } from '../../../runtime/project/schedule.ts';

for (const [interval, valid] of [
  ['@once', true],
  ['@hourly', true],
  ['@daily', true],
  ['@weekly', true],
  ['@monthly', true],
  ['@always_on', true],
  ['0 6 * * *', true],
  ['*/15 * * * *', true],
  ['0 0 * * 1-5', true],
  ['0 0 1 */3 *', true],
  ['@yearly', false],
  ['61 * * * *', false],
  ['0 24 * * *', false],
  ['* * *', false],
  ['0 0 6 * * *', false],
  ['a b c d e', false],
] as const) {
  test(`schedule_interval ${JSON.stringify(interval)} is ${valid ? 'valid' : 'rejected'}`, () => {
    assert.equal(scheduleIntervalError(interval) === undefined, valid, scheduleIntervalError(interval));
  });
}

for (const [text, iso] of [
  ['2024-05-16 10:00:00+00:00', '2024-05-16T10:00:00.000Z'],
  ['2024-05-17 08:22:00', '2024-05-17T08:22:00.000Z'],
  ['2025-09-23 21:41:21.580516+00:00', '2025-09-23T21:41:21.000Z'],
  ['2021-01-01', '2021-01-01T00:00:00.000Z'],
  ['2021-01-01T06:00:00+01:00', '2021-01-01T05:00:00.000Z'],
  ['2021-01-01T06:00Z', '2021-01-01T06:00:00.000Z'],
  ['2024-02-30 00:00:00', undefined],
  ['2024-13-01', undefined],
  ['yesterday', undefined],
] as const) {
  test(`start_time ${JSON.stringify(text)} reads as ${iso ?? 'invalid'}`, () => {
    assert.equal(parseStartTime(text)?.toISOString(), iso);
  });
}
