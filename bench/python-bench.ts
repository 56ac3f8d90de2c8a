import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres } from '../runtime/connectors/embedded-postgres.ts';
import { writeTaxiCsv } from '../runtime/sample/write-taxi.ts';
import type { BenchRow } from './runtime-bench.ts';
import { timedRun } from './timed-run.ts';

const MONTH = 1_369_765;

const LOADER = `import pandas as pd

@data_loader
def load_data(*args, **kwargs):
    taxi_dtypes = {
        'VendorID': pd.Int64Dtype(), 'passenger_count': pd.Int64Dtype(), 'trip_distance': float, 'RatecodeID': pd.Int64Dtype(),
        'store_and_fwd_flag': str, 'PULocationID': pd.Int64Dtype(), 'DOLocationID': pd.Int64Dtype(), 'payment_type': pd.Int64Dtype(),
        'fare_amount': float, 'extra': float, 'mta_tax': float, 'tip_amount': float, 'tolls_amount': float,
        'improvement_surcharge': float, 'total_amount': float, 'congestion_surcharge': float,
    }
    parse_dates = ['tpep_pickup_datetime', 'tpep_dropoff_datetime']
    return pd.read_csv(kwargs['taxi_file'], sep=',', compression='gzip', dtype=taxi_dtypes, parse_dates=parse_dates)
`;

const TRANSFORMER = `@transformer
def transform(data, *args, **kwargs):
    data = data[data['passenger_count'] > 0]
    data = data.assign(lpep_pickup_date=data['tpep_pickup_datetime'].dt.date)
    data.columns = data.columns.str.replace('(?<=[a-z])(?=[A-Z])', '_', regex=True).str.lower()
    return data
`;

const SHIM_EXPORTER = `from mage_ai.io.config import ConfigFileLoader
from mage_ai.io.postgres import Postgres

@data_exporter
def export_data(df, **kwargs):
    with Postgres.with_config(ConfigFileLoader(None, 'default')) as loader:
        loader.export(df, 'ny_taxi', 'yellow_shim', index=False, if_exists='replace')
`;

// Mage's own export path written out, as mage_ai.io.postgres does it: the DataFrame as CSV into a
// buffer, then COPY ... FROM STDIN through psycopg2.
const MAGE_EXPORTER = `import io, os
import psycopg2

@data_exporter
def export_data(df, **kwargs):
    connection = psycopg2.connect(host=os.environ['BENCH_PG_HOST'], port=os.environ['BENCH_PG_PORT'], user=os.environ['BENCH_PG_USER'],
                                  password=os.environ['BENCH_PG_PASSWORD'], dbname=os.environ['BENCH_PG_DB'])
    types = {'Int64': 'BIGINT', 'int64': 'BIGINT', 'float64': 'DOUBLE PRECISION', 'object': 'TEXT', 'datetime64[ns]': 'TIMESTAMP', 'datetime64[us]': 'TIMESTAMP'}
    columns = ', '.join(f'"{name}" {types.get(str(dtype), "TEXT")}' for name, dtype in df.dtypes.items())
    with connection, connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA IF NOT EXISTS ny_taxi; DROP TABLE IF EXISTS ny_taxi.yellow_mage; CREATE TABLE ny_taxi.yellow_mage (' + columns + ')')
        buffer = io.StringIO()
        df.to_csv(buffer, index=False, header=False)
        buffer.seek(0)
        cursor.copy_expert('COPY ny_taxi.yellow_mage FROM STDIN (FORMAT csv)', buffer)
    connection.close()
`;

function pipeline(name: string, exporter: string): string {
  return [
    'blocks:',
    '- uuid: load_taxi',
    '  type: data_loader',
    '  language: python',
    '  downstream_blocks: [transform_taxi]',
    '- uuid: transform_taxi',
    '  type: transformer',
    '  language: python',
    '  upstream_blocks: [load_taxi]',
    `  downstream_blocks: [${exporter}]`,
    `- uuid: ${exporter}`,
    '  type: data_exporter',
    '  language: python',
    '  upstream_blocks: [transform_taxi]',
    `name: ${name}`,
    `uuid: ${name}`,
    '',
  ].join('\n');
}

/** The Python with pandas, pyarrow and psycopg2 the benchmark runs, or why there is none. */
function benchPython(): string | { missing: string } {
  const python = process.env.PIPEWRIGHT_BENCH_PYTHON ?? join(import.meta.dirname, '../.cache/python/bin/python');
  if (!existsSync(python) && !process.env.PIPEWRIGHT_BENCH_PYTHON) return { missing: 'no .cache/python (bash scripts/python-setup.sh)' };
  const check = spawnSync(python, ['-c', 'import pandas, pyarrow, psycopg2'], { encoding: 'utf8' });
  if (check.status !== 0) return { missing: `${python} lacks pandas, pyarrow or psycopg2 (${python} -m pip install psycopg2-binary)` };
  return python;
}

/**
 * The taxi month through the course's pandas loader and transformer into PostgreSQL: the mage_ai
 * stand-in's export (parquet to the runtime, binary COPY) against Mage's own path written out
 * (to_csv into a buffer, COPY FROM STDIN with psycopg2), same blocks, same server, same run.
 */
export async function pythonExportBench(rows: BenchRow[]): Promise<void> {
  const python = benchPython();
  if (typeof python !== 'string') {
    console.error(`python-export benchmark skipped: ${python.missing}`);
    return;
  }
  const project = mkdtempSync(join(tmpdir(), 'pipewright-bench-py-'));
  chmodSync(project, 0o755);
  for (const dir of ['data_loaders', 'transformers', 'data_exporters', 'pipelines/shim', 'pipelines/mage']) mkdirSync(join(project, dir), { recursive: true });
  writeFileSync(join(project, 'io_config.yaml'), 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n');
  writeFileSync(join(project, 'data_loaders/load_taxi.py'), LOADER);
  writeFileSync(join(project, 'transformers/transform_taxi.py'), TRANSFORMER);
  writeFileSync(join(project, 'data_exporters/export_shim.py'), SHIM_EXPORTER);
  writeFileSync(join(project, 'data_exporters/export_mage.py'), MAGE_EXPORTER);
  const gz = join(project, 'month.csv.gz');
  writeFileSync(join(project, 'pipelines/shim/metadata.yaml'), `${pipeline('shim', 'export_shim')}variables:\n  taxi_file: ${gz}\n`);
  writeFileSync(join(project, 'pipelines/mage/metadata.yaml'), `${pipeline('mage', 'export_mage')}variables:\n  taxi_file: ${gz}\n`);
  await writeTaxiCsv(gz, { rows: MONTH, seed: 42 });
  const postgres = new EmbeddedPostgres(project);
  try {
    const pg = await postgres.ensure();
    const env = {
      ...process.env,
      PIPEWRIGHT_PYTHON: python,
      BENCH_PG_HOST: pg.host,
      BENCH_PG_PORT: String(pg.port),
      BENCH_PG_USER: pg.user,
      BENCH_PG_PASSWORD: pg.password,
      BENCH_PG_DB: pg.database,
    };
    const reference = await timedRun(project, ['run', 'mage'], { events: join(project, 'mage.events.jsonl'), env });
    const measured = await timedRun(project, ['run', 'shim'], { events: join(project, 'shim.events.jsonl'), env });
    console.error(`python export: stand-in ${measured.ms.toFixed(0)} ms (${measured.blocks}); Mage's path ${reference.ms.toFixed(0)} ms (${reference.blocks})`);
    rows.push({
      what: `Python blocks, the taxi month (${MONTH} rows): pandas loader + transformer + mage_ai Postgres export`,
      value: measured.ms,
      unit: 'ms',
      reference: "the same blocks with Mage's export path (to_csv + COPY FROM STDIN, psycopg2)",
      referenceValue: reference.ms,
      goal: '≤ 0.7x',
      met: measured.ms / reference.ms <= 0.7,
    });
    rows.push({
      what: 'peak RSS of that run (the Python process or the runtime, whichever is larger)',
      value: measured.peak / 1048576,
      unit: 'MB',
      reference: "the same with Mage's export path",
      referenceValue: reference.peak / 1048576,
      goal: '— (for information)',
      met: true,
    });
  } finally {
    await postgres.stop();
    rmSync(project, { recursive: true, force: true });
  }
}
