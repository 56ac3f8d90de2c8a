import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextRunTimes } from '../../../runtime/project/schedule-times.ts';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString().replace(':00.000Z', 'Z'));
const from = new Date('2021-01-29T15:30:00Z'); // a Friday

const CASES: [string, { scheduleInterval: string; startTime?: string; timezone?: string }, Date, string[]][] = [
  ['@daily fires at 00:00 UTC', { scheduleInterval: '@daily' }, from, ['2021-01-30T00:00Z', '2021-01-31T00:00Z', '2021-02-01T00:00Z']],
  ['@hourly on the hour', { scheduleInterval: '@hourly' }, from, ['2021-01-29T16:00Z', '2021-01-29T17:00Z', '2021-01-29T18:00Z']],
  ['@weekly on Mondays', { scheduleInterval: '@weekly' }, from, ['2021-02-01T00:00Z', '2021-02-08T00:00Z', '2021-02-15T00:00Z']],
  ['@monthly on the 1st, over month ends', { scheduleInterval: '@monthly' }, from, ['2021-02-01T00:00Z', '2021-03-01T00:00Z', '2021-04-01T00:00Z']],
  ['a cron on the last day of February in a leap year', { scheduleInterval: '0 6 29 2 *' }, from, ['2024-02-29T06:00Z', '2028-02-29T06:00Z', '2032-02-29T06:00Z']],
  ['never before start_time', { scheduleInterval: '@daily', startTime: '2021-03-10 00:00:00' }, from, ['2021-03-10T00:00Z', '2021-03-11T00:00Z', '2021-03-12T00:00Z']],
  [
    '06:00 in Amsterdam keeps its wall time across the change to summer time',
    { scheduleInterval: '0 6 * * *', timezone: 'Europe/Amsterdam' },
    new Date('2021-03-27T12:00:00Z'),
    ['2021-03-28T04:00Z', '2021-03-29T04:00Z', '2021-03-30T04:00Z'],
  ],
  // On the day 02:30 does not exist, the run still happens once, right after the jump (03:30 EDT).
  [
    '02:30 in New York still runs once on the day 02:30 does not exist',
    { scheduleInterval: '30 2 * * *', timezone: 'America/New_York' },
    new Date('2021-03-13T12:00:00Z'),
    ['2021-03-14T07:30Z', '2021-03-15T06:30Z', '2021-03-16T06:30Z'],
  ],
  [
    '01:30 in New York runs once on the day 01:30 happens twice',
    { scheduleInterval: '30 1 * * *', timezone: 'America/New_York' },
    new Date('2021-11-06T12:00:00Z'),
    ['2021-11-07T05:30Z', '2021-11-08T06:30Z', '2021-11-09T06:30Z'],
  ],
];

for (const [name, trigger, at, expected] of CASES) {
  test(`next run times: ${name}`, () => assert.deepEqual(iso(nextRunTimes(trigger, at, 3)), expected));
}

test('@once fires once at start_time, and never once past; @always_on has no times', () => {
  assert.deepEqual(iso(nextRunTimes({ scheduleInterval: '@once', startTime: '2021-02-01 12:00:00' }, from, 3)), ['2021-02-01T12:00Z']);
  assert.deepEqual(nextRunTimes({ scheduleInterval: '@once', startTime: '2021-01-01 12:00:00' }, from, 3), []);
  assert.deepEqual(nextRunTimes({ scheduleInterval: '@always_on' }, from, 3), []);
});
