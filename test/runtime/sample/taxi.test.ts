import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { generateTaxiCsv, TAXI_COLUMNS, UNKNOWN_PROVIDER_SHARE } from '../../../runtime/sample/taxi.ts';
import { writeTaxiCsv } from '../../../runtime/sample/write-taxi.ts';
import { writeTree } from '../../helpers/project-tree.ts';

function text(options: Parameters<typeof generateTaxiCsv>[0]): string {
  return [...generateTaxiCsv(options)].join('');
}

const sample = text({ rows: 200_000, seed: 7 });
const rows = sample
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
const column = (name: (typeof TAXI_COLUMNS)[number]) => TAXI_COLUMNS.indexOf(name);

test('taxi data has the real header and 18 fields on every row', () => {
  assert.equal(sample.slice(0, sample.indexOf('\n')), TAXI_COLUMNS.join(','));
  assert.equal(rows.length, 200_000);
  assert.ok(rows.every((r) => r.length === 18));
});

test('the same seed gives the same bytes, another seed other bytes', () => {
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  assert.equal(hash(text({ rows: 5000, seed: 3 })), hash(text({ rows: 5000, seed: 3 })));
  assert.notEqual(hash(text({ rows: 5000, seed: 3 })), hash(text({ rows: 5000, seed: 4 })));
});

test('unknown-provider rows form the tail with their six columns empty', () => {
  const unknown = rows.filter((r) => r[column('VendorID')] === '');
  assert.equal(unknown.length, Math.round(200_000 * UNKNOWN_PROVIDER_SHARE));
  const firstUnknown = rows.findIndex((r) => r[column('VendorID')] === '');
  assert.equal(firstUnknown, rows.length - unknown.length, 'all at the end');
  for (const name of ['passenger_count', 'RatecodeID', 'store_and_fwd_flag', 'payment_type', 'congestion_surcharge'] as const) {
    assert.ok(
      unknown.every((r) => r[column(name)] === ''),
      name,
    );
  }
});

test('the data keeps the real file quirks: zero passengers, refunds, zero distances, dates outside the month', () => {
  const known = rows.filter((r) => r[column('VendorID')] !== '');
  const share = (n: number) => n / known.length;
  const zeroPassengers = share(known.filter((r) => r[column('passenger_count')] === '0').length);
  assert.ok(zeroPassengers > 0.01 && zeroPassengers < 0.03, `passenger_count 0: ${zeroPassengers}`);
  assert.ok(
    rows.some((r) => r[column('fare_amount')].startsWith('-')),
    'refunds',
  );
  assert.ok(
    rows.some((r) => r[column('trip_distance')] === '.00'),
    'zero distances written as .00',
  );
  assert.ok(
    rows.some((r) => !r[column('tpep_pickup_datetime')].startsWith('2021-01')),
    'pickups outside January',
  );
  assert.ok(
    rows.some((r) => r[column('tpep_dropoff_datetime')] < r[column('tpep_pickup_datetime')]),
    'dropoff before pickup',
  );
});

test('pickups are in order within each provider block, as in the real file', () => {
  const inMonth = rows.filter((r) => r[column('VendorID')] !== '' && r[column('tpep_pickup_datetime')].startsWith('2021-01'));
  let outOfOrder = 0;
  for (let i = 1; i < inMonth.length; i++) if (inMonth[i][1].slice(0, 13) < inMonth[i - 1][1].slice(0, 13)) outOfOrder++;
  assert.equal(outOfOrder, 0);
  const days = new Set(inMonth.map((r) => r[1].slice(0, 10)));
  assert.equal(days.size, 31);
});

test('writing .csv.gz gives the same rows gzipped, and no partial file on success', async (t) => {
  const dir = writeTree(t, {});
  const file = join(dir, 'month.csv.gz');
  await writeTaxiCsv(file, { rows: 3000, seed: 11 });
  assert.equal(gunzipSync(readFileSync(file)).toString('latin1'), text({ rows: 3000, seed: 11 }));
});
