// GCS and BigQuery connectors with the official clients against the local servers in test/google/,
// and the embedded profile's local bucket and DuckDB warehouse with the same operations.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { LocalWarehouse, RemoteBigQuery, type Warehouse } from '../../../runtime/connectors/bigquery.ts';
import { GcsIo } from '../../../runtime/connectors/gcs.ts';
import { googleAdvice, googleSettingsOf } from '../../../runtime/connectors/google-settings.ts';
import { GcsStore, LocalBucketStore, type ObjectStore } from '../../../runtime/connectors/object-store.ts';
import { Dataset } from '../../../runtime/data/dataset.ts';
import { openDuck } from '../../../runtime/data/duck.ts';
import { startFakeBigQuery } from '../../google/fake-bigquery.ts';
import { startFakeGcs, type FakeGcs } from '../../google/fake-gcs.ts';
import { writeTree } from '../../helpers/project-tree.ts';

/** Trips over three days, with the values that go wrong: nulls, commas, quotes, newlines, unicode. */
const TRIPS_SQL = `SELECT * FROM (VALUES
  (1, TIMESTAMP '2021-01-01 00:15:00', 'plain', 1.5, DATE '2021-01-01'),
  (2, TIMESTAMP '2021-01-01 23:59:59', 'comma, "quote"', NULL, DATE '2021-01-01'),
  (3, TIMESTAMP '2021-01-02 08:00:00', E'new\\nline', 2.25, DATE '2021-01-02'),
  (4, NULL, 'Zürich ✓', 3.0, DATE '2021-01-03')
) AS t(id, pickup, note, fare, pickup_date)`;

async function setup(t: TestContext) {
  const root = writeTree(t, {});
  const duck = await openDuck({ tempDirectory: root });
  t.after(() => duck.closeSync());
  const trips = new Dataset(duck, `(${TRIPS_SQL.replace("E'new\\\\nline'", "'new' || chr(10) || 'line'")})`);
  return { root, duck, trips };
}

async function fakeGcs(t: TestContext, buckets = ['lake']): Promise<FakeGcs> {
  const fake = await startFakeGcs({ buckets });
  t.after(() => fake.close());
  return fake;
}

function gcsSettings(root: string, fake: FakeGcs, extra: Record<string, unknown> = {}) {
  return googleSettingsOf('test', { GOOGLE_PROJECT_ID: 'p', GOOGLE_STORAGE_API_ENDPOINT: fake.endpoint, ...extra }, root);
}

async function sortedRows(dataset: Dataset): Promise<Record<string, unknown>[]> {
  return (await dataset.rows()).sort((a, b) => Number(a.id) - Number(b.id));
}

for (const kind of ['gcs', 'local'] as const) {
  test(`${kind}: a dataset partitioned by day round-trips, with timestamps BigQuery reads as TIMESTAMP`, async (t) => {
    const { root, duck, trips } = await setup(t);
    const store: ObjectStore = kind === 'gcs' ? new GcsStore(gcsSettings(root, await fakeGcs(t))) : new LocalBucketStore(join(root, 'buckets'));
    const gcs = new GcsIo(store, async () => duck, join(root, 'work'));
    const written = await gcs.writeParquet(trips, { bucket: 'lake', prefix: 'trips', partitionBy: ['pickup_date'] });
    assert.equal(written.rows, 4);
    assert.deepEqual(written.objects.sort(), [
      'trips/pickup_date=2021-01-01/part-0.parquet',
      'trips/pickup_date=2021-01-02/part-0.parquet',
      'trips/pickup_date=2021-01-03/part-0.parquet',
    ]);
    assert.deepEqual(
      (await gcs.list({ bucket: 'lake', prefix: 'trips/' })).map((o) => o.name),
      written.objects.sort(),
    );

    const day = await gcs.readParquet({ bucket: 'lake', prefix: 'trips/pickup_date=2021-01-01/' });
    const rows = await sortedRows(day);
    assert.deepEqual(
      rows.map((r) => r.note),
      ['plain', 'comma, "quote"'],
    );
    assert.equal(rows[1].fare, null);
    assert.equal((rows[0].pickup as Date).toISOString(), '2021-01-01T00:15:00.000Z');
    const schema = Object.fromEntries((await day.schema()).map((c) => [c.name, c.type]));
    assert.equal(schema.pickup, 'TIMESTAMP WITH TIME ZONE');
    assert.equal(schema.pickup_date, 'DATE', 'the hive folder is a column again');

    const all = await sortedRows(await gcs.readParquet({ bucket: 'lake', prefix: 'trips/' }));
    assert.deepEqual(
      all.map((r) => r.note),
      ['plain', 'comma, "quote"', 'new\nline', 'Zürich ✓'],
    );
    assert.equal(all[3].pickup, null);

    // Writing day 2 again with other rows replaces that partition only.
    await gcs.writeParquet(new Dataset(duck, `(SELECT 9 AS id, TIMESTAMP '2021-01-02 09:00:00' AS pickup, 'again' AS note, 1.0 AS fare, DATE '2021-01-02' AS pickup_date)`), {
      bucket: 'lake',
      prefix: 'trips',
      partitionBy: ['pickup_date'],
    });
    const after = await sortedRows(await gcs.readParquet({ bucket: 'lake', prefix: 'trips/' }));
    assert.deepEqual(
      after.map((r) => r.id),
      [1, 2, 4, 9],
    );

    const whole = await gcs.writeParquet(trips, { bucket: 'lake', object: 'month.parquet' });
    assert.equal(whole.rows, 4, 'rows counted from the written file');
    const none = await gcs.writeParquet(trips.sql('SELECT * FROM data WHERE id < 0'), { bucket: 'lake', prefix: 'empty', partitionBy: ['pickup_date'] });
    assert.deepEqual([none.rows, none.objects], [0, []]);
    const file = await store.fetch('lake', 'month.parquet', join(root, 'check'));
    const parquet = (await duck.runAndReadAll(`SELECT name, logical_type FROM parquet_schema('${file}') WHERE name = 'pickup'`)).getRowObjectsJS()[0];
    assert.match(String(parquet.logical_type), /TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(.*MICROS=MicroSeconds\(\)/);
  });
}

test('gcs: objects over 8 MiB go up as resumable uploads in chunks and come back byte for byte', async (t) => {
  const { root } = await setup(t);
  const fake = await fakeGcs(t);
  const store = new GcsStore(gcsSettings(root, fake));
  const file = join(root, 'big.bin');
  const bytes = randomBytes(9 * 1024 * 1024 + 123);
  writeFileSync(file, bytes);
  await store.put(file, 'lake', 'raw/big.bin');
  const puts = fake.requests.filter((r) => r.startsWith('PUT /upload/storage/v1/b/lake/o'));
  assert.equal(puts.length, 2, fake.requests.join('\n'));
  const back = await store.fetch('lake', 'raw/big.bin', join(root, 'down'));
  assert.ok(readFileSync(back).equals(bytes));
});

test('gcs: a missing permission becomes advice that names the role to grant', async (t) => {
  const { root, duck } = await setup(t);
  const fake = await fakeGcs(t);
  fake.denied.add('storage.objects.list');
  const settings = gcsSettings(root, fake);
  const gcs = new GcsIo(new GcsStore(settings), async () => duck, join(root, 'work'));
  const error = await gcs.readParquet({ bucket: 'lake', prefix: 'trips/' }).then(
    () => assert.fail('listing should be refused'),
    (e: unknown) => e,
  );
  assert.match(googleAdvice(error, settings), /lacks storage\.objects\.list: grant it roles\/storage\.objectViewer/);
  await assert.rejects(
    new GcsIo(new GcsStore(settings), async () => duck, root).readParquet({ bucket: 'Bad_Bucket!', prefix: '' }),
    /not a valid bucket name|does not exist|Not Found/i,
  );
});

test('a key file that does not exist is named with what to do', () => {
  const root = writeTree(undefined, {});
  assert.throws(
    () => googleSettingsOf('dev', { GOOGLE_SERVICE_ACC_KEY_FILEPATH: 'keys/none.json' }, root),
    /Profile "dev": the key file .*keys\/none\.json \(GOOGLE_SERVICE_ACC_KEY_FILEPATH\) does not exist: download a JSON key/,
  );
  assert.equal(googleSettingsOf('dev', { GOOGLE_SERVICE_ACC_KEY: { project_id: 'from-key', client_email: 'a@b', private_key: 'k' } }, root).projectId, 'from-key');
});

async function warehouses(t: TestContext, root: string, duck: Awaited<ReturnType<typeof openDuck>>) {
  const gcs = await fakeGcs(t);
  const bq = await startFakeBigQuery({ gcsEndpoint: gcs.endpoint });
  t.after(() => bq.close());
  const settings = googleSettingsOf('test', { GOOGLE_PROJECT_ID: 'p', GOOGLE_STORAGE_API_ENDPOINT: gcs.endpoint, GOOGLE_BIGQUERY_API_ENDPOINT: bq.endpoint }, root);
  const local = new LocalBucketStore(join(root, 'buckets'));
  return {
    gcs,
    bq,
    remote: { warehouse: new RemoteBigQuery(settings, async () => duck, join(root, 'work-remote')) as Warehouse, store: new GcsStore(settings) as ObjectStore },
    local: { warehouse: new LocalWarehouse(join(root, 'warehouse.duckdb'), local, async () => duck, join(root, 'work-local')) as Warehouse, store: local as ObjectStore },
  };
}

for (const kind of ['remote', 'local'] as const) {
  test(`bigquery (${kind}): replacing a day's partition twice never duplicates it, and queries come back typed`, async (t) => {
    const { root, duck, trips } = await setup(t);
    const { [kind]: target, bq } = await warehouses(t, root, duck);
    const day1 = new Dataset(duck, `(SELECT * FROM ${trips.source} WHERE pickup_date = DATE '2021-01-01')`);
    for (let i = 0; i < 2; i++) {
      assert.equal(await target.warehouse.export(day1, { dataset: 'ny_taxi', table: 'trips', partitionBy: 'pickup_date', replacePartition: '2021-01-01' }), 2);
    }
    const day2 = new Dataset(duck, `(SELECT * FROM ${trips.source} WHERE pickup_date = DATE '2021-01-02')`);
    await target.warehouse.export(day2, { dataset: 'ny_taxi', table: 'trips', partitionBy: 'pickup_date', replacePartition: '2021-01-02' });
    const result = await target.warehouse.query('SELECT pickup_date, count(*) AS n, min(pickup) AS first FROM `p.ny_taxi.trips` GROUP BY pickup_date ORDER BY pickup_date');
    const rows = await result.rows();
    assert.deepEqual(
      rows.map((r) => Number(r.n)),
      [2, 1],
    );
    assert.equal((rows[0].first as Date).toISOString(), '2021-01-01T00:15:00.000Z');
    await assert.rejects(
      target.warehouse.export(trips, { dataset: 'ny_taxi', table: 'trips', partitionBy: 'pickup_date', replacePartition: '2021-01-01' }),
      /rows (have pickup_date outside the partition|belong to different partitions)/,
    );
    await assert.rejects(target.warehouse.export(trips, { dataset: 'ny_taxi', table: 'trips', ifExists: 'fail' }), /already exists|Already Exists/);
    await assert.rejects(target.warehouse.dryRun('SELECT nope FROM ny_taxi.trips'), /nope/);
    if (kind === 'remote') {
      const types = Object.fromEntries(bq.tables.get('ny_taxi.trips')!.fields.map((f) => [f.name, f.type]));
      assert.deepEqual(types, { id: 'INTEGER', pickup: 'TIMESTAMP', note: 'STRING', fare: 'NUMERIC', pickup_date: 'DATE' });
      assert.deepEqual(bq.tables.get('ny_taxi.trips')!.timePartitioning, { type: 'DAY', field: 'pickup_date' });
      assert.ok(
        bq.requests.some((r) => r === 'POST /upload/bigquery/v2/projects/p/jobs'),
        'a local dataset goes up with the load job',
      );
    }
  });

  test(`bigquery (${kind}): a load job reads hive-partitioned parquet from the bucket`, async (t) => {
    const { root, duck, trips } = await setup(t);
    const { [kind]: target } = await warehouses(t, root, duck);
    await new GcsIo(target.store, async () => duck, join(root, 'work')).writeParquet(trips, { bucket: 'lake', prefix: 'trips', partitionBy: ['pickup_date'] });
    const loaded = await target.warehouse.loadParquet({ uris: ['gs://lake/trips/*.parquet'], hivePartitionPrefix: 'gs://lake/trips', dataset: 'ny_taxi', table: 'all_trips' });
    assert.equal(loaded, 4);
    const rows = await (await target.warehouse.query('SELECT id, pickup_date, note FROM ny_taxi.all_trips ORDER BY id')).rows();
    assert.deepEqual(
      rows.map((r) => r.note),
      ['plain', 'comma, "quote"', 'new\nline', 'Zürich ✓'],
    );
    assert.deepEqual(
      rows.map((r) => String(r.pickup_date instanceof Date ? r.pickup_date.toISOString().slice(0, 10) : r.pickup_date)),
      ['2021-01-01', '2021-01-01', '2021-01-02', '2021-01-03'],
    );
    await assert.rejects(target.warehouse.loadParquet({ uris: ['gs://lake/none/*.parquet'], dataset: 'ny_taxi', table: 'x' }), /Not found|No files found/i);
  });
}
