import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backfillIntervals, parseInterval } from '../../../runtime/scheduler/intervals.ts';

const day = (d: Date) => d.toISOString().slice(0, 10);

test('both ends are included: a week of days is 7 runs', () => {
  const runs = backfillIntervals(new Date('2021-01-01T00:00:00Z'), new Date('2021-01-07T00:00:00Z'), parseInterval('day'));
  assert.deepEqual(
    runs.map((r) => day(r.executionDate)),
    ['2021-01-01', '2021-01-02', '2021-01-03', '2021-01-04', '2021-01-05', '2021-01-06', '2021-01-07'],
  );
  assert.deepEqual(
    [runs[0].start.toISOString(), runs[0].end.toISOString(), runs[0].previousStart.toISOString()],
    ['2021-01-01T00:00:00.000Z', '2021-01-02T00:00:00.000Z', '2020-12-31T00:00:00.000Z'],
  );
});

test('months step from the start as relativedelta does, without drifting at month ends', () => {
  const runs = backfillIntervals(new Date('2021-01-31T00:00:00Z'), new Date('2021-05-31T00:00:00Z'), parseInterval('month'));
  assert.deepEqual(
    runs.map((r) => day(r.executionDate)),
    ['2021-01-31', '2021-02-28', '2021-03-31', '2021-04-30', '2021-05-31'],
  );
  assert.equal(day(runs[1].end), '2021-03-31');
});

test('"<n> <unit>" intervals, and the end bound is exact', () => {
  const runs = backfillIntervals(new Date('2021-01-01T00:00:00Z'), new Date('2021-01-01T23:59:59Z'), parseInterval('6 hours'));
  assert.deepEqual(
    runs.map((r) => r.executionDate.toISOString().slice(11, 16)),
    ['00:00', '06:00', '12:00', '18:00'],
  );
  assert.equal(backfillIntervals(new Date('2021-01-01'), new Date('2021-12-31'), parseInterval('week')).length, 53);
});

test('bad intervals and reversed dates are errors that say what to write', () => {
  assert.throws(() => parseInterval('fortnight'), /use hour, day, week, month, year, or "<n> <unit>"/);
  assert.throws(() => parseInterval('0 days'), /at least 1/);
  assert.throws(() => backfillIntervals(new Date('2021-02-01'), new Date('2021-01-01'), parseInterval('day')), /is before --start/);
});
