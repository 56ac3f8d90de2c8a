import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { writeTaxiCsv } from '../../runtime/sample/write-taxi.ts';
import { startFakeBigQuery } from '../google/fake-bigquery.ts';
import { startFakeGcs } from '../google/fake-gcs.ts';
import { pipewright, pipewrightAsync } from '../helpers/cli.ts';
import { serveFile } from '../helpers/file-server.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { writeTree } from '../helpers/project-tree.ts';

const EXAMPLE = join(import.meta.dirname, '../../examples/zoomcamp');

test("the example's loader streams the taxi CSV.gz over HTTP and its SQL transform cleans it", async (t) => {
  const root = writeTree(t, {});
  cpSync(EXAMPLE, root, { recursive: true });
  const data = join(root, 'yellow_tripdata_2021-01.csv.gz');
  await writeTaxiCsv(data, { rows: 20_000, seed: 5 });
  const url = await serveFile(t, data, 'yellow_tripdata_2021-01.csv.gz');
  const run = await pipewrightAsync(['run', 'api_to_postgres', '--block', 'transform_taxi_data', '--with-upstream', '--var', `taxi_url=${url}`], { cwd: root });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /✔ load_taxi_data {2}completed .* 20,000 rows/);
  const preview = JSON.parse(pipewright(['preview', 'api_to_postgres', 'transform_taxi_data', '--json', '--rows', '3'], { cwd: root }).stdout);
  const columns = Object.fromEntries(preview.columns.map((c: { name: string; type: string }) => [c.name, c.type]));
  assert.equal(columns.vendor_id, 'INTEGER');
  assert.equal(columns.pu_location_id, 'INTEGER');
  assert.equal(columns.tpep_pickup_datetime, 'TIMESTAMP');
  assert.equal(columns.tpep_pickup_date, 'DATE');
  assert.equal(Object.keys(columns).length, 19);
  // Trips with no or zero passengers are gone: about 7% empty-provider rows and 2% zeros.
  assert.ok(preview.rows > 17_000 && preview.rows < 18_600, `${preview.rows} rows kept`);
  assert.ok(preview.preview.every((r: { passenger_count: number }) => r.passenger_count > 0));
});

test('api_to_postgres runs end to end: HTTP CSV.gz → SQL transform → the embedded PostgreSQL', async (t) => {
  const root = writeTree(t, {});
  cpSync(EXAMPLE, root, { recursive: true });
  const { query } = await startPostgres(t, root);
  const data = join(root, 'yellow_tripdata_2021-01.csv.gz');
  await writeTaxiCsv(data, { rows: 30_000, seed: 9 });
  const url = await serveFile(t, data, 'yellow_tripdata_2021-01.csv.gz');
  const run = await pipewrightAsync(['run', 'api_to_postgres', '--var', `taxi_url=${url}`], { cwd: root });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const kept = JSON.parse(pipewright(['preview', 'api_to_postgres', 'transform_taxi_data', '--json'], { cwd: root }).stdout).rows;
  const [{ n, days, zero }] = await query(
    'SELECT count(*)::int AS n, count(DISTINCT tpep_pickup_date)::int AS days, count(*) FILTER (WHERE passenger_count IS NULL OR passenger_count = 0)::int AS zero FROM ny_taxi.yellow_cab_data',
  );
  assert.equal(n, kept);
  assert.equal(zero, 0);
  assert.ok(Number(days) >= 31, `${String(days)} pickup dates`);
  const columns = await query(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ny_taxi' AND table_name = 'yellow_cab_data' ORDER BY ordinal_position",
  );
  assert.deepEqual(
    columns.slice(0, 3).map((c) => `${c.column_name}:${c.data_type}`),
    ['vendor_id:integer', 'tpep_pickup_datetime:timestamp without time zone', 'tpep_dropoff_datetime:timestamp without time zone'],
  );
  assert.equal(columns.at(-1)!.column_name, 'tpep_pickup_date');
  assert.equal(columns.at(-1)!.data_type, 'date');
});

/** The example project with a generated taxi month served over HTTP; resolves to its folder and URL. */
async function exampleWithData(t: TestContext, rows: number): Promise<{ root: string; url: string }> {
  const root = writeTree(t, {});
  cpSync(EXAMPLE, root, { recursive: true });
  const data = join(root, 'yellow_tripdata_2021-01.csv.gz');
  await writeTaxiCsv(data, { rows, seed: 11 });
  return { root, url: await serveFile(t, data, 'yellow_tripdata_2021-01.csv.gz') };
}

/** Trips per pickup day of the transform's latest output, as the warehouse should hold them. */
function tripsPerDay(root: string): Map<string, number> {
  const result = pipewright(
    ['preview', 'api_to_gcs', 'transform_taxi_data', '--json', '--sql', 'SELECT CAST(tpep_pickup_date AS VARCHAR) AS day, count(*) AS n FROM data GROUP BY 1'],
    { cwd: root },
  );
  assert.equal(result.code, 0, result.stderr);
  return new Map(JSON.parse(result.stdout).preview.map((r: { day: string; n: number }) => [r.day, Number(r.n)]));
}

test('api_to_gcs then gcs_to_bigquery run end to end offline: local bucket and the DuckDB warehouse', async (t) => {
  const { root, url } = await exampleWithData(t, 20_000);
  const toGcs = await pipewrightAsync(['run', 'api_to_gcs', '--var', `taxi_url=${url}`], { cwd: root });
  assert.equal(toGcs.code, 0, toGcs.stdout + toGcs.stderr);
  const bucket = join(root, '.pipewright/buckets/pipewright-zoomcamp');
  assert.ok(existsSync(join(bucket, 'nyc_taxi_data.parquet')));
  assert.ok(existsSync(join(bucket, 'nyc_taxi_data/tpep_pickup_date=2021-01-02/part-0.parquet')));
  const backfill = await pipewrightAsync(['backfill', 'gcs_to_bigquery', '--start', '2021-01-01', '--end', '2021-01-03', '--interval', 'day', '--concurrency', '3'], { cwd: root });
  assert.equal(backfill.code, 0, backfill.stdout + backfill.stderr);
  // Again with --force: each day's partition is replaced, never duplicated.
  const again = await pipewrightAsync(['backfill', 'gcs_to_bigquery', '--start', '2021-01-02', '--end', '2021-01-02', '--interval', 'day', '--force'], { cwd: root });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const expected = tripsPerDay(root);
  const { openDuck } = await import('../../runtime/data/duck.ts');
  const duck = await openDuck();
  t.after(() => duck.closeSync());
  await duck.run(`ATTACH '${join(root, '.pipewright/warehouse.duckdb')}' AS w (READ_ONLY)`);
  const counted = (
    await duck.runAndReadAll('SELECT CAST(tpep_pickup_date AS VARCHAR) AS day, count(*) AS n FROM w.ny_taxi.yellow_cab_data GROUP BY 1 ORDER BY 1')
  ).getRowObjectsJS();
  assert.deepEqual(
    counted.map((r) => [r.day, Number(r.n)]),
    ['2021-01-01', '2021-01-02', '2021-01-03'].map((day) => [day, expected.get(day)]),
  );
});

test('the same two pipelines against Cloud Storage and BigQuery (the official clients, local servers)', async (t) => {
  const { root, url } = await exampleWithData(t, 10_000);
  const gcs = await startFakeGcs({ buckets: ['pipewright-zoomcamp'] });
  t.after(() => gcs.close());
  const bigquery = await startFakeBigQuery({ gcsEndpoint: gcs.endpoint });
  t.after(() => bigquery.close());
  appendFileSync(
    join(root, 'io_config.yaml'),
    [
      'cloud:',
      '  GOOGLE_PROJECT_ID: p',
      '  GOOGLE_LOCATION: US',
      `  GOOGLE_STORAGE_API_ENDPOINT: ${gcs.endpoint}`,
      `  GOOGLE_BIGQUERY_API_ENDPOINT: ${bigquery.endpoint}`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, METADATA_SERVER_DETECTION: 'none', GOOGLE_APPLICATION_CREDENTIALS: '' };
  const toGcs = await pipewrightAsync(['run', 'api_to_gcs', '--profile', 'cloud', '--var', `taxi_url=${url}`], { cwd: root, env });
  assert.equal(toGcs.code, 0, toGcs.stdout + toGcs.stderr);
  assert.ok(gcs.objects.has('pipewright-zoomcamp/nyc_taxi_data.parquet'));
  const partitions = [...gcs.objects.keys()].filter((k) => k.startsWith('pipewright-zoomcamp/nyc_taxi_data/'));
  assert.ok(partitions.length >= 31, `${partitions.length} partitions`);
  const backfill = await pipewrightAsync(['backfill', 'gcs_to_bigquery', '--profile', 'cloud', '--start', '2021-01-01', '--end', '2021-01-02', '--interval', 'day'], {
    cwd: root,
    env,
  });
  assert.equal(backfill.code, 0, backfill.stdout + backfill.stderr);
  const expected = tripsPerDay(root);
  const rows = await bigquery.sql('SELECT CAST(tpep_pickup_date AS VARCHAR) AS day, count(*) AS n FROM ny_taxi.yellow_cab_data GROUP BY 1 ORDER BY 1');
  assert.deepEqual(
    rows.map((r) => [r.day, Number(r.n)]),
    ['2021-01-01', '2021-01-02'].map((day) => [day, expected.get(day)]),
  );
  const fields = Object.fromEntries(bigquery.tables.get('ny_taxi.yellow_cab_data')!.fields.map((f) => [f.name, f.type]));
  assert.equal(fields.tpep_pickup_datetime, 'TIMESTAMP');
  assert.equal(fields.tpep_pickup_date, 'DATE');
  assert.equal(fields.vendor_id, 'INTEGER');
});

test("a 60-day backfill of the example's gcs_to_bigquery, 4 at a time: exactly 60 successful runs, each day's partition loaded once", async (t) => {
  const root = writeTree(t, {});
  cpSync(EXAMPLE, root, { recursive: true });
  // Three generated months into the local bucket through the example's own api_to_gcs (a written
  // partition replaces that day's objects, so the bucket ends with one set of files per day).
  for (const month of [1, 2, 3]) {
    const name = `yellow_tripdata_2021-0${month}.csv.gz`;
    await writeTaxiCsv(join(root, name), { rows: 3_000, seed: 20 + month, month });
    const url = await serveFile(t, join(root, name), name);
    const toGcs = await pipewrightAsync(['run', 'api_to_gcs', '--var', `taxi_url=${url}`], { cwd: root });
    assert.equal(toGcs.code, 0, toGcs.stdout + toGcs.stderr);
  }
  const backfill = await pipewrightAsync(['backfill', 'gcs_to_bigquery', '--start', '2021-01-01', '--end', '2021-03-01', '--interval', 'day', '--concurrency', '4'], { cwd: root });
  assert.equal(backfill.code, 0, backfill.stdout + backfill.stderr);
  const runs = (JSON.parse(pipewright(['runs', '--json', '--limit', '1000'], { cwd: root }).stdout) as { pipeline: string; status: string; execution_date: string }[]).filter(
    (r) => r.pipeline === 'gcs_to_bigquery',
  );
  assert.equal(runs.length, 60);
  assert.ok(
    runs.every((r) => r.status === 'completed'),
    runs
      .filter((r) => r.status !== 'completed')
      .map((r) => `${r.execution_date} ${r.status}`)
      .join(', '),
  );
  assert.equal(new Set(runs.map((r) => r.execution_date)).size, 60, 'one run per day');
  // Per day, the warehouse holds exactly the rows of that day's objects in the bucket.
  const { openDuck } = await import('../../runtime/data/duck.ts');
  const duck = await openDuck();
  t.after(() => duck.closeSync());
  const bucket = join(root, '.pipewright/buckets/pipewright-zoomcamp/nyc_taxi_data');
  const inBucket = (
    await duck.runAndReadAll(
      `SELECT CAST(tpep_pickup_date AS VARCHAR) AS day, count(*) AS n FROM read_parquet('${bucket}/*/*.parquet', hive_partitioning = true) WHERE tpep_pickup_date BETWEEN DATE '2021-01-01' AND DATE '2021-03-01' GROUP BY 1 ORDER BY 1`,
    )
  ).getRowObjectsJS();
  await duck.run(`ATTACH '${join(root, '.pipewright/warehouse.duckdb')}' AS w (READ_ONLY)`);
  const inWarehouse = (
    await duck.runAndReadAll('SELECT CAST(tpep_pickup_date AS VARCHAR) AS day, count(*) AS n FROM w.ny_taxi.yellow_cab_data GROUP BY 1 ORDER BY 1')
  ).getRowObjectsJS();
  assert.equal(inBucket.length, 60);
  assert.deepEqual(
    inWarehouse.map((r) => [r.day, Number(r.n)]),
    inBucket.map((r) => [r.day, Number(r.n)]),
  );
});
