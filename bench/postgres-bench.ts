import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { EmbeddedPostgres } from '../runtime/connectors/embedded-postgres.ts';
import { writeTaxiCsv } from '../runtime/sample/write-taxi.ts';
import type { BenchRow } from './runtime-bench.ts';
import { timedRun } from './timed-run.ts';

const MONTH = 1_369_765;
const TLC_TABLE =
  'VendorID int, tpep_pickup_datetime timestamp, tpep_dropoff_datetime timestamp, passenger_count int, trip_distance float8, RatecodeID int, store_and_fwd_flag text, PULocationID int, DOLocationID int, payment_type int, fare_amount float8, extra float8, mta_tax float8, tip_amount float8, tolls_amount float8, improvement_surcharge float8, total_amount float8, congestion_surcharge float8';

function hasPsql(): boolean {
  return spawnSync('psql', ['--version']).status === 0;
}

/**
 * The example's api_to_postgres on the whole taxi month (CSV.gz over local HTTP → transform →
 * PostgreSQL), against `psql \copy` of the same plain CSV into the same server, in the same run.
 */
export async function apiToPostgresBench(rows: BenchRow[]): Promise<void> {
  if (!hasPsql()) {
    console.error('api_to_postgres benchmark skipped: no psql here to measure the \\copy reference (apt-get install postgresql-client)');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'pipewright-bench-pg-'));
  chmodSync(work, 0o755);
  const project = join(work, 'zoomcamp');
  cpSync(join(import.meta.dirname, '../examples/zoomcamp'), project, { recursive: true });
  const gz = join(work, 'month.csv.gz');
  const csv = join(work, 'month.csv');
  await writeTaxiCsv(gz, { rows: MONTH, seed: 42 });
  await pipeline(createReadStream(gz), createGunzip(), createWriteStream(csv));
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-length': statSync(gz).size });
    createReadStream(gz).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/month.csv.gz`;
  const postgres = new EmbeddedPostgres(project);
  try {
    const settings = await postgres.ensure();
    const env = { ...process.env, PGPASSWORD: settings.password };
    const psql = (sql: string) => {
      const result = spawnSync('psql', ['-h', settings.host, '-p', String(settings.port), '-U', settings.user, '-d', settings.database, '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
        env,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
    };
    psql(`DROP TABLE IF EXISTS copy_reference; CREATE TABLE copy_reference (${TLC_TABLE})`);
    const start = performance.now();
    psql(`\\copy copy_reference FROM '${csv}' CSV HEADER`);
    const reference = performance.now() - start;
    const { ms: elapsed, peak, blocks } = await timedRun(project, ['run', 'api_to_postgres', '--var', `taxi_url=${url}`], { events: join(work, 'events.jsonl') });
    console.error(`api_to_postgres: ${elapsed.toFixed(0)} ms (\\copy ${reference.toFixed(0)} ms); blocks: ${blocks}`);
    rows.push({
      what: `api_to_postgres, the taxi month (${MONTH} rows): HTTP CSV.gz → transform → PostgreSQL`,
      value: elapsed,
      unit: 'ms',
      reference: 'psql \\copy of the same plain CSV into the same server',
      referenceValue: reference,
      goal: '≤ 1.3x',
      met: elapsed / reference <= 1.3,
    });
    rows.push({
      what: 'peak RSS of that run',
      value: peak / 1048576,
      unit: 'MB',
      reference: "Mage's pandas path (issue #5's measure, not rerun here)",
      referenceValue: 1536,
      goal: '< 400 MB',
      met: peak / 1048576 < 400,
    });
  } finally {
    server.close();
    await postgres.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
