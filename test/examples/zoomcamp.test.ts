import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeTaxiCsv } from '../../runtime/sample/write-taxi.ts';
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
  const columns = await query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ny_taxi' AND table_name = 'yellow_cab_data' ORDER BY ordinal_position");
  assert.deepEqual(columns.slice(0, 3).map((c) => `${c.column_name}:${c.data_type}`), ['vendor_id:integer', 'tpep_pickup_datetime:timestamp without time zone', 'tpep_dropoff_datetime:timestamp without time zone']);
  assert.equal(columns.at(-1)!.column_name, 'tpep_pickup_date');
  assert.equal(columns.at(-1)!.data_type, 'date');
});
