import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import { Dataset } from '../../../runtime/data/dataset.ts';
import { openDuck } from '../../../runtime/data/duck.ts';
import { parquetSource } from '../../../runtime/data/sql-text.ts';
import { persistOutput } from '../../../runtime/data/persist.ts';
import { writeTree } from '../../helpers/project-tree.ts';

async function roundTrip(t: import('node:test').TestContext, value: unknown) {
  const dir = writeTree(t, {});
  const connection = await openDuck();
  const info = await persistOutput(connection, value, { dir: join(dir, 'out') });
  const dataset = new Dataset(connection, parquetSource(info.files));
  return { info, dataset, connection, dir };
}

test('rows become parquet with inferred types, and read back as the same values', async (t) => {
  const when = new Date('2021-01-05T10:20:30.000Z');
  const { info, dataset } = await roundTrip(t, [
    { id: 1, fare: 2.5, flag: true, note: 'a,"b"\nc', at: when, tags: ['x'] },
    { id: 2, fare: 3, flag: false, note: null, at: null, tags: null },
  ]);
  assert.equal(info.kind, 'table');
  assert.equal(info.rows, 2);
  assert.deepEqual(
    info.columns.map((c) => `${c.name}:${c.type}`),
    ['id:BIGINT', 'fare:DOUBLE', 'flag:BOOLEAN', 'note:VARCHAR', 'at:TIMESTAMP', 'tags:VARCHAR'],
  );
  assert.deepEqual(await dataset.rows(), [
    { id: 1, fare: 2.5, flag: true, note: 'a,"b"\nc', at: when, tags: '["x"]' },
    { id: 2, fare: 3, flag: false, note: null, at: null, tags: null },
  ]);
});

test('later batches may add columns and turn integers into decimals', async (t) => {
  async function* batches() {
    yield [{ n: 1 }, { n: 2 }];
    yield [{ n: 2.5, extra: 'x' }];
  }
  const { info, dataset } = await roundTrip(t, batches());
  assert.deepEqual(
    info.columns.map((c) => `${c.name}:${c.type}`),
    ['n:DOUBLE', 'extra:VARCHAR'],
  );
  assert.deepEqual(await dataset.rows(), [
    { n: 1, extra: null },
    { n: 2, extra: null },
    { n: 2.5, extra: 'x' },
  ]);
});

test('a column that changes kind is an error naming it and the row', async (t) => {
  await assert.rejects(roundTrip(t, [{ a: 1 }, { a: true }]), /Column "a" holds BIGINT values, but row 2 has true/);
});

test('an Arrow table is persisted as a table', async (t) => {
  const table = tableFromArrays({ city: ['Utrecht', 'Delft'], trips: Int32Array.from([3, 4]) });
  const { info, dataset } = await roundTrip(t, table);
  assert.equal(info.rows, 2);
  assert.deepEqual(await dataset.rows(), [
    { city: 'Utrecht', trips: 3 },
    { city: 'Delft', trips: 4 },
  ]);
});

test('a dataset output is copied by DuckDB, SQL and batches included', async (t) => {
  const first = await roundTrip(
    t,
    Array.from({ length: 25000 }, (_, i) => ({ i })),
  );
  const even = first.dataset.sql('SELECT i FROM data WHERE i % 2 = 0');
  const info = await persistOutput(first.connection, even, { dir: join(first.dir, 'even') });
  assert.equal(info.rows, 12500);
  const sizes: number[] = [];
  for await (const batch of new Dataset(first.connection, parquetSource(info.files)).batches({ size: 5000 })) sizes.push(batch.length);
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    12500,
  );
  assert.ok(sizes.every((s) => s <= 5000 + 2048));
});

test('values that are not tables become output.json; nothing becomes no output', async (t) => {
  const { info } = await roundTrip(t, { months: [1, 2, 3] });
  assert.equal(info.kind, 'json');
  assert.deepEqual(JSON.parse(readFileSync(info.files[0], 'utf8')), { months: [1, 2, 3] });
  const none = await roundTrip(t, undefined);
  assert.equal(none.info.kind, 'none');
});

test('the staging database is removed after persisting', async (t) => {
  const { dir } = await roundTrip(t, [{ a: 1 }]);
  assert.equal(existsSync(join(dir, 'out', 'staging.duckdb')), false);
});
