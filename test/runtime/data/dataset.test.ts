import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Dataset } from '../../../runtime/data/dataset.ts';
import { openDuck, streamChunks } from '../../../runtime/data/duck.ts';
import { persistOutput } from '../../../runtime/data/persist.ts';
import { parquetSource } from '../../../runtime/data/sql-text.ts';
import { writeTree } from '../../helpers/project-tree.ts';

// DuckDB ends a streaming result when another statement runs on its connection, and the cut-off
// stream looks like a finished one: these failed (10,240 or 2,048 rows) before streams had
// connections of their own.

const ROWS = 50000;

test('batches() delivers every row while the block queries its data inside the loop', async () => {
  const connection = await openDuck();
  const dataset = new Dataset(connection, `(SELECT range AS i FROM range(${ROWS}))`);
  let rows = 0;
  let sum = 0;
  for await (const batch of dataset.batches({ size: 1000 })) {
    rows += batch.length;
    for (const row of batch) sum += row.i as number;
    assert.equal(await dataset.sql('SELECT * FROM data LIMIT 3').count(), 3);
  }
  assert.equal(rows, ROWS);
  assert.equal(sum, (ROWS * (ROWS - 1)) / 2);
});

test('a generator over batches() persists whole, though persisting runs statements on the same connection', async (t) => {
  const dir = writeTree(t, {});
  const connection = await openDuck();
  const source = new Dataset(connection, `(SELECT range AS i, range % 7 AS k FROM range(${ROWS}))`);
  async function* passThrough() {
    for await (const batch of source.batches({ size: 3000 })) yield batch;
  }
  const info = await persistOutput(connection, passThrough(), { dir: join(dir, 'out') });
  assert.equal(info.rows, ROWS);
  assert.equal(await new Dataset(connection, parquetSource(info.files)).count(), ROWS);
});

test('two streams of one connection read side by side, each to its end', async () => {
  const connection = await openDuck();
  const left = streamChunks(connection, 'SELECT range FROM range(20000)');
  const right = streamChunks(connection, 'SELECT range FROM range(30000)');
  const counts = [0, 0];
  for (;;) {
    const [a, b] = await Promise.all([left.next(), right.next()]);
    if (!a.done) counts[0] += a.value.chunk.rowCount;
    if (!b.done) counts[1] += b.value.chunk.rowCount;
    if (a.done && b.done) break;
  }
  assert.deepEqual(counts, [20000, 30000]);
});

test('a stream left early closes its connection, and a wrong query throws instead of ending quietly', async () => {
  const connection = await openDuck();
  for await (const { chunk } of streamChunks(connection, 'SELECT range FROM range(100000)')) {
    assert.ok(chunk.rowCount > 0);
    break;
  }
  await assert.rejects(async () => {
    for await (const chunk of streamChunks(connection, 'SELECT * FROM no_such_table')) assert.fail(`no chunk expected, got ${chunk.chunk.rowCount} rows`);
  }, /no_such_table/);
});
