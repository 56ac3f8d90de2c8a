// Mage's Python blocks, run unchanged with a real Python (pandas, pyarrow): mixed with TypeScript and
// SQL blocks, with Mage's kwargs, tests, logs and errors.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pythonFor } from '../../../runtime/executor/python-runner.ts';
import { startFakeBigQuery } from '../../google/fake-bigquery.ts';
import { startFakeGcs } from '../../google/fake-gcs.ts';
import { BIN, pipewright, pipewrightAsync } from '../../helpers/cli.ts';
import { serveFile } from '../../helpers/file-server.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';
import { startPostgres } from '../../helpers/postgres.ts';
import { lines, writeTree } from '../../helpers/project-tree.ts';
import { testPython } from '../../helpers/python.ts';

const LOADER = lines(
  'import pandas as pd',
  "if 'data_loader' not in globals():",
  '    from mage_ai.data_preparation.decorators import data_loader, test',
  '',
  '',
  '@data_loader',
  'def load_data(*args, **kwargs):',
  "    kwargs['logger'].info('loading %s for %s', kwargs['taxi'], kwargs['execution_date'].strftime('%Y/%m/%d'))",
  "    print('printed by the block')",
  '    return pd.DataFrame({',
  "        'VendorID': pd.array([1, 2, None, 1], dtype=pd.Int64Dtype()),",
  "        'passenger_count': [1, 0, 2, 3],",
  "        'tpep_pickup_datetime': pd.to_datetime(['2021-01-01 10:00', '2021-01-02 11:00', '2021-01-03 12:00', '2021-01-04 13:30']),",
  '    })',
  '',
  '',
  '@test',
  'def test_output(output, *args) -> None:',
  "    assert output is not None, 'The output is undefined'",
);

const TRANSFORMER = lines(
  "if 'transformer' not in globals():",
  '    from mage_ai.data_preparation.decorators import transformer, test',
  '',
  '',
  '@transformer',
  'def transform(data, *args, **kwargs):',
  "    data = data[data['passenger_count'] > 0].copy()",
  "    data['lpep_pickup_date'] = data['tpep_pickup_datetime'].dt.date",
  "    data.columns = data.columns.str.replace('(?<=[a-z])(?=[A-Z])', '_', regex=True).str.lower()",
  '    return data',
  '',
  '',
  '@test',
  'def test_passengers(output, *args):',
  "    assert output['passenger_count'].isin([0]).sum() == 0, 'There are rides with zero passengers'",
);

test('a Python loader and transformer (pandas, kwargs, logger, prints, @test) feed SQL and TypeScript blocks, types intact', (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(
    t,
    {
      load: { language: 'python', code: LOADER },
      clean: { language: 'python', upstream: ['load'], code: TRANSFORMER },
      by_vendor: { language: 'sql', upstream: ['clean'], code: 'SELECT vendor_id, count(*) AS trips FROM {{ df_1 }} GROUP BY vendor_id ORDER BY vendor_id NULLS LAST\n' },
      report: {
        type: 'data_exporter',
        upstream: ['by_vendor'],
        code: "import { dataExporter } from 'pipewright';\nexport default dataExporter(async (rows, ctx) => { ctx.log.info(`groups: ${await rows.count()}`); });\n",
      },
    },
    { variables: { taxi: 'yellow' } },
  );
  const run = pipewright(['run', 'p', '--execution-date', '2021-01-05'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /loading yellow for 2021\/01\/05/);
  assert.match(run.stdout, /printed by the block/);
  assert.match(run.stdout, /1\/1 tests passed\./);
  assert.match(run.stdout, /groups: 2/);
  const preview = JSON.parse(pipewright(['preview', 'p', 'clean', '--json'], { cwd: root }).stdout);
  assert.deepEqual(
    preview.columns.map((c: { name: string; type: string }) => `${c.name} ${c.type}`),
    ['vendor_id BIGINT', 'passenger_count BIGINT', 'tpep_pickup_datetime TIMESTAMP', 'lpep_pickup_date DATE'],
  );
  assert.equal(preview.rows, 3);
  assert.deepEqual(
    preview.preview.map((r: { vendor_id: number | null }) => r.vendor_id),
    [1, null, 1],
    'a nullable integer keeps its nulls',
  );
  const grouped = JSON.parse(pipewright(['preview', 'p', 'by_vendor', '--json'], { cwd: root }).stdout);
  assert.deepEqual(
    grouped.preview.map((r: { vendor_id: number | null; trips: number }) => [r.vendor_id, Number(r.trips)]),
    [
      [1, 2],
      [null, 1],
    ],
  );
});

test('a TypeScript block feeds a Python block a DataFrame; a returned dict or list is stored as JSON', (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    rows: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ zone: 'A', fare: 10.5 }, { zone: 'B', fare: 7 }]);\n" },
    summary: {
      language: 'python',
      upstream: ['rows'],
      code: lines(
        '@transformer',
        'def summarize(df, **kwargs):',
        "    return {'type': type(df).__name__, 'total': float(df['fare'].sum()), 'block': kwargs['block_uuid'], 'partition': kwargs['execution_partition']}",
      ),
    },
  });
  const run = pipewright(['run', 'p', '--execution-date', '2021-01-05T06:00:00Z'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const preview = JSON.parse(pipewright(['preview', 'p', 'summary', '--json'], { cwd: root }).stdout);
  assert.deepEqual(preview.value, { type: 'DataFrame', total: 17.5, block: 'summary', partition: '20210105T060000' });
});

test("a Python block's errors name its file and line; failed tests, wrong arity and a missing module say what to do", (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    broken: { language: 'python', code: lines('@data_loader', 'def load(*args, **kwargs):', '    rows = [1, 2]', "    raise ValueError(f'bad rows: {rows}')") },
    tested: {
      language: 'python',
      code: lines(
        '@data_loader',
        'def load(**kwargs):',
        "    return {'rows': [1, 2, 3]}",
        '',
        '@test',
        'def test_empty(output, *args):',
        "    assert len(output['rows']) == 0, 'not empty'",
      ),
    },
    arity: { language: 'python', code: lines('@data_loader', 'def load(data, more):', '    return data') },
    missing: { language: 'python', code: lines('import no_such_module_here', '@data_loader', 'def load(**kwargs):', '    return 1') },
    unshimmed: { language: 'python', code: lines('from mage_ai.io.s3 import S3', '@data_loader', 'def load(**kwargs):', '    return 1') },
    profile: {
      language: 'python',
      code: lines('from mage_ai.io.config import ConfigFileLoader', '@data_loader', 'def load(**kwargs):', "    return ConfigFileLoader(None, 'nope').get('X')"),
    },
  });
  const run = pipewright(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 1);
  const runs = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
  const errorOf = (block: string) => runs[0].blocks.find((b: { block: string }) => b.block === block).error;
  const broken = errorOf('broken');
  assert.equal(broken.message, 'ValueError: bad rows: [1, 2]');
  assert.match(broken.file, /data_loaders\/broken\.py$/);
  assert.equal(broken.line, 4);
  assert.doesNotMatch(broken.stack, /pipewright_runner/, 'the traceback is trimmed to the block file');
  assert.match(errorOf('tested').message, /^Failed to pass tests for block tested: 1 of 1 failed/);
  assert.match(run.stdout, /FAIL: test_empty \(block: tested\)/);
  assert.match(errorOf('arity').message, /^Block arity may be missing upstream dependencies\. It expected to have 2 arguments, but only received 0/);
  assert.match(errorOf('missing').message, new RegExp(`^Python module "no_such_module_here" is not installed in .*: install it with ".* -m pip install no_such_module_here"`));
  assert.match(
    errorOf('unshimmed').message,
    /^mage_ai\.io\.s3 is not in Pipewright's stand-in for mage_ai \(it has [^)]*mage_ai\.io\.postgres[^)]*\): install Mage itself in .* -m pip install mage-ai/,
  );
  assert.match(
    errorOf('profile').message,
    /^ValueError: io_config\.yaml:\d+:\d+: error: Cannot find profile "nope" in io_config\.yaml \(profiles: default\): add it or choose another with --profile$/,
  );
});

test('a Python block that never returns is stopped by its timeout, and the next block still runs', (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    forever: { language: 'python', yaml: ['timeout: 2'], code: lines('import time', '@data_loader', 'def load(**kwargs):', '    while True:', '        time.sleep(0.1)') },
    after: { language: 'python', code: lines('@data_loader', 'def load(**kwargs):', "    return {'ok': True}") },
  });
  const run = pipewright(['run', 'p', '--concurrency', '1'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 1);
  const runs = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
  const status = (block: string) => runs[0].blocks.find((b: { block: string }) => b.block === block);
  assert.equal(status('forever').status, 'failed');
  assert.match(status('forever').error.message, /Timed out after 2 s/);
  assert.equal(status('after').status, 'completed');
});

test('which Python: PIPEWRIGHT_PYTHON, else the project .venv or venv, else python3; one that is not there is a clear error', (t) => {
  const root = writeTree(t, {});
  assert.equal(pythonFor(root, { PIPEWRIGHT_PYTHON: '/opt/py/bin/python' }), '/opt/py/bin/python');
  assert.equal(pythonFor(root, {}), 'python3');
  mkdirSync(join(root, 'venv/bin'), { recursive: true });
  writeFileSync(join(root, 'venv/bin/python3'), '');
  assert.equal(pythonFor(root, {}), join(root, 'venv/bin/python3'));
  mkdirSync(join(root, '.venv/bin'), { recursive: true });
  symlinkSync('/usr/bin/env', join(root, '.venv/bin/python'));
  assert.equal(pythonFor(root, {}), join(root, '.venv/bin/python'));

  const project = pipelineProject(t, { load: { language: 'python', code: lines('@data_loader', 'def load(**kwargs):', '    return 1') } });
  const run = pipewright(['run', 'p'], { cwd: project, env: { PIPEWRIGHT_PYTHON: '/nonexistent/python3' } });
  assert.equal(run.code, 1);
  const error = JSON.parse(pipewright(['runs', '--json'], { cwd: project }).stdout)[0].blocks[0].error.message;
  assert.match(
    error,
    /Cannot start Python: "\/nonexistent\/python3" is not there\. Python blocks run with PIPEWRIGHT_PYTHON, else the project's \.venv or venv, else python3 on PATH/,
  );
});

const COURSE_EXPORTER = lines(
  'from mage_ai.settings.repo import get_repo_path',
  'from mage_ai.io.config import ConfigFileLoader',
  'from mage_ai.io.postgres import Postgres',
  'from pandas import DataFrame',
  'from os import path',
  '',
  "if 'data_exporter' not in globals():",
  '    from mage_ai.data_preparation.decorators import data_exporter',
  '',
  '',
  '@data_exporter',
  'def export_data_to_postgres(df: DataFrame, **kwargs) -> None:',
  "    schema_name = 'ny_taxi'",
  "    table_name = 'yellow_cab_data'",
  "    config_path = path.join(get_repo_path(), 'io_config.yaml')",
  "    config_profile = 'dev'",
  '',
  '    with Postgres.with_config(ConfigFileLoader(config_path, config_profile)) as loader:',
  '        loader.export(',
  '            df,',
  '            schema_name,',
  '            table_name,',
  '            index=False,  # Specifies whether to include index in exported table',
  "            if_exists='replace',  # Specify resolution policy if table name already exists",
  '        )',
);

test("the course's pandas loader, transformer and mage_ai.io Postgres exporter run unchanged, through the dev profile's env_vars, and read back with Postgres.load", async (t) => {
  const python = testPython(t);
  if (!python) return;
  const csv = ['VendorID,passenger_count,tpep_pickup_datetime,fare_amount', '1,1,2021-01-01 00:30:10,12.5', '2,0,2021-01-01 01:00:00,3.0', ',2,2021-01-02 10:15:00,7.25'].join(
    '\n',
  );
  const root = pipelineProject(t, {
    load: {
      language: 'python',
      code: lines(
        'import pandas as pd',
        '@data_loader',
        'def load_data(*args, **kwargs):',
        "    taxi_dtypes = {'VendorID': pd.Int64Dtype(), 'passenger_count': pd.Int64Dtype(), 'fare_amount': float}",
        "    return pd.read_csv('trips.csv.gz', sep=',', compression='gzip', dtype=taxi_dtypes, parse_dates=['tpep_pickup_datetime'])",
      ),
    },
    clean: { language: 'python', upstream: ['load'], code: TRANSFORMER },
    save: { language: 'python', type: 'data_exporter', upstream: ['clean'], code: COURSE_EXPORTER },
    check: {
      language: 'python',
      upstream: ['save'],
      code: lines(
        'from mage_ai.io.config import ConfigFileLoader',
        'from mage_ai.io.postgres import Postgres',
        '@transformer',
        'def check(*args, **kwargs):',
        "    with Postgres.with_config(ConfigFileLoader(None, 'dev')) as loader:",
        "        return loader.load('SELECT count(*) AS n, sum(fare_amount) AS fares FROM ny_taxi.yellow_cab_data')",
      ),
    },
  });
  const { gzipSync } = await import('node:zlib');
  writeFileSync(join(root, 'trips.csv.gz'), gzipSync(`${csv}\n`));
  const { settings, query } = await startPostgres(t, root);
  const ioConfig = readFileSync(join(root, 'io_config.yaml'), 'utf8');
  const env = (name: string) => `"{{ env_var('${name}') }}"`;
  writeFileSync(
    join(root, 'io_config.yaml'),
    `${ioConfig}dev:\n  POSTGRES_DBNAME: ${env('POSTGRES_DBNAME')}\n  POSTGRES_SCHEMA: public\n  POSTGRES_USER: ${env('POSTGRES_USER')}\n  POSTGRES_PASSWORD: ${env('POSTGRES_PASSWORD')}\n  POSTGRES_HOST: ${env('POSTGRES_HOST')}\n  POSTGRES_PORT: ${env('POSTGRES_PORT')}\n`,
  );
  const run = await pipewrightAsync(['run', 'p'], {
    cwd: root,
    env: {
      PIPEWRIGHT_PYTHON: python,
      POSTGRES_DBNAME: settings.database,
      POSTGRES_USER: settings.user,
      POSTGRES_PASSWORD: settings.password,
      POSTGRES_HOST: settings.host,
      POSTGRES_PORT: String(settings.port),
    },
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.ok(!run.stdout.includes(settings.password), 'the password stays masked');
  const rows = await query('SELECT vendor_id, passenger_count, tpep_pickup_datetime, fare_amount, lpep_pickup_date FROM ny_taxi.yellow_cab_data ORDER BY tpep_pickup_datetime');
  assert.deepEqual(
    rows.map((r) => [r.vendor_id, r.passenger_count, (r.tpep_pickup_datetime as Date).toISOString(), r.fare_amount]),
    [
      ['1', '1', '2021-01-01T00:30:10.000Z', 12.5],
      [null, '2', '2021-01-02T10:15:00.000Z', 7.25],
    ],
  );
  const types = await query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ny_taxi' ORDER BY ordinal_position");
  assert.deepEqual(
    types.map((r) => `${r.column_name}:${r.data_type}`),
    ['vendor_id:bigint', 'passenger_count:bigint', 'tpep_pickup_datetime:timestamp without time zone', 'fare_amount:double precision', 'lpep_pickup_date:date'],
  );
  const check = JSON.parse(pipewright(['preview', 'p', 'check', '--json'], { cwd: root }).stdout);
  assert.deepEqual(
    check.preview.map((r: { n: number; fares: number }) => [Number(r.n), r.fares]),
    [[2, 19.75]],
  );
});

test("a dynamic Python block (Mage's [items, metadata]) fans its Python children out per item; a Python sensor waits until it is true", (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    months: {
      language: 'python',
      yaml: ['configuration: { dynamic: true }'],
      code: lines('@data_loader', 'def months(**kwargs):', "    return [[1, 2, 3], [{'block_uuid': f'month_{m}'} for m in [1, 2, 3]]]"),
    },
    trips: {
      language: 'python',
      upstream: ['months'],
      code: lines(
        'import pandas as pd',
        '@transformer',
        'def trips(month, **kwargs):',
        "    return pd.DataFrame({'month': [month] * month, 'index': [kwargs['dynamic_block_index']] * month})",
      ),
    },
    ready: {
      language: 'python',
      type: 'sensor',
      yaml: ['configuration: { poke_interval: 1 }'],
      code: lines('import os', '@sensor', 'def check(**kwargs):', "    open('checks.txt', 'a').write('.')", "    return len(open('checks.txt').read()) >= 2"),
    },
  });
  const run = pipewright(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /Sensor not ready \(check 1\); next check in 1 s/);
  assert.equal(readFileSync(join(root, 'checks.txt'), 'utf8'), '..');
  const runs = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
  const trips = runs[0].blocks.find((b: { block: string }) => b.block === 'trips');
  assert.deepEqual(trips.children, ['trips:month_1', 'trips:month_2', 'trips:month_3']);
  assert.equal(trips.rows, 6);
  const child = JSON.parse(pipewright(['preview', 'p', 'trips:month_3', '--json'], { cwd: root }).stdout);
  assert.deepEqual(
    child.preview.map((r: { month: number; index: number }) => [Number(r.month), Number(r.index)]),
    [
      [3, 2],
      [3, 2],
      [3, 2],
    ],
  );
});

test('new block --language python writes Mage-shaped blocks that validate and run as written: loader, transformer, exporter, custom, sensor, a dynamic loader', (t) => {
  const python = testPython(t);
  if (!python) return;
  const parent = writeTree(t, {});
  assert.equal(pipewright(['new', 'project', 'mage_like'], { cwd: parent }).code, 0);
  const root = join(parent, 'mage_like');
  const add = (...args: string[]) => {
    const result = pipewright(['new', 'block', 'etl', ...args, '--language', 'python'], { cwd: root });
    assert.equal(result.code, 0, result.stderr);
  };
  assert.equal(pipewright(['new', 'pipeline', 'etl'], { cwd: root }).code, 0);
  add('load', '--type', 'data_loader');
  add('clean', '--type', 'transformer', '--upstream', 'load');
  add('save', '--type', 'data_exporter', '--upstream', 'clean');
  add('misc', '--type', 'custom');
  add('wait', '--type', 'sensor');
  add('months', '--type', 'data_loader', '--dynamic');
  add('per_month', '--type', 'transformer', '--upstream', 'months');
  const refused = pipewright(['new', 'block', 'etl', 'when', '--type', 'conditional', '--upstream', 'clean', '--language', 'python'], { cwd: root });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Pipewright writes conditional blocks in TypeScript: leave out --language/);
  assert.match(readFileSync(join(root, 'transformers/clean.py'), 'utf8'), /@transformer\ndef transform\(load, \*args, \*\*kwargs\):/);
  const validate = pipewright(['validate'], { cwd: root });
  assert.equal(validate.code, 0, validate.stdout);
  const run = pipewright(['run', 'etl'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /exporting DataFrame/);
  const runs = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
  assert.deepEqual(runs[0].blocks.find((b: { block: string }) => b.block === 'per_month').children, ['per_month:month_1', 'per_month:month_2', 'per_month:month_3']);
});

const GOOGLE_EXPORTER = lines(
  'from mage_ai.io.config import ConfigFileLoader',
  'from mage_ai.io.file import FileIO',
  'from mage_ai.io.google_cloud_storage import GoogleCloudStorage',
  'from mage_ai.io.bigquery import BigQuery',
  '',
  '@data_exporter',
  'def export_data(df, **kwargs):',
  "    config = ConfigFileLoader(None, kwargs['profile_name'])",
  "    FileIO().export(df, 'trips.json')",
  "    GoogleCloudStorage.with_config(config).export(FileIO().load('trips.json'), 'lake', 'taxi/trips.parquet')",
  "    GoogleCloudStorage.with_config(config).export(df, 'lake', 'taxi/trips.csv')",
  "    BigQuery.with_config(config).export(df, 'p.analytics.trips', if_exists='replace')",
);

const GOOGLE_READER = lines(
  'from mage_ai.io.config import ConfigFileLoader',
  'from mage_ai.io.google_cloud_storage import GoogleCloudStorage',
  'from mage_ai.io.bigquery import BigQuery',
  '',
  '@transformer',
  'def read_back(*args, **kwargs):',
  "    config = ConfigFileLoader(None, kwargs['profile_name'])",
  '    gcs = GoogleCloudStorage.with_config(config)',
  "    parquet = gcs.load('lake', 'taxi/trips.parquet')",
  "    csv = gcs.load('lake', 'taxi/trips.csv')",
  "    missing = gcs.load('lake', 'taxi/none.parquet')",
  "    counted = BigQuery.with_config(config).load('SELECT count(*) AS n FROM analytics.trips')",
  '    return {',
  "        'parquet': len(parquet), 'csv': list(csv.columns), 'missing': len(missing),",
  "        'exists': gcs.exists('lake', 'taxi/'), 'none': gcs.exists('lake', 'other/'), 'warehouse': int(counted['n'][0]),",
  '    }',
);

for (const where of ['embedded', 'servers'] as const) {
  test(`mage_ai.io's GoogleCloudStorage and BigQuery stand-ins write and read through the runtime (${where === 'embedded' ? 'the local bucket and warehouse' : 'the official clients against the local Cloud Storage and BigQuery servers'})`, async (t) => {
    const python = testPython(t);
    if (!python) return;
    const root = pipelineProject(
      t,
      {
        load: {
          language: 'python',
          code: lines('import pandas as pd', '@data_loader', 'def load(**kwargs):', "    return pd.DataFrame({'zone': ['A', 'B', 'C'], 'fare': [10.0, 7.5, 3.25]})"),
        },
        save: { language: 'python', type: 'data_exporter', upstream: ['load'], code: GOOGLE_EXPORTER },
        check: { language: 'python', upstream: ['save'], code: GOOGLE_READER },
      },
      { variables: { profile_name: where === 'embedded' ? 'default' : 'gcp' } },
    );
    let bigqueryTables: (() => ReadonlyMap<string, unknown>) | undefined;
    if (where === 'servers') {
      const gcs = await startFakeGcs({ buckets: ['lake'] });
      t.after(() => gcs.close());
      const bigquery = await startFakeBigQuery({ gcsEndpoint: gcs.endpoint });
      t.after(() => bigquery.close());
      bigqueryTables = () => bigquery.tables;
      appendFileSync(
        join(root, 'io_config.yaml'),
        `gcp:\n  GOOGLE_PROJECT_ID: p\n  GOOGLE_STORAGE_API_ENDPOINT: ${gcs.endpoint}\n  GOOGLE_BIGQUERY_API_ENDPOINT: ${bigquery.endpoint}\n`,
      );
    }
    const run = await pipewrightAsync(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const check = JSON.parse(pipewright(['preview', 'p', 'check', '--json'], { cwd: root }).stdout);
    assert.deepEqual(check.value, { parquet: 3, csv: ['zone', 'fare'], missing: 0, exists: true, none: false, warehouse: 3 });
    if (bigqueryTables) assert.ok(bigqueryTables().has('analytics.trips'));
  });
}

test("Mage's Python conditionals and callbacks run: @condition on the guarded block's inputs, @callback('success'/'failure') with the parent's inputs, and the older @on_success", (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(
    t,
    {
      load: { language: 'python', code: lines('@data_loader', 'def load(**kwargs):', "    return {'rows': 3}") },
      clean: { language: 'python', upstream: ['load'], code: lines('@transformer', 'def clean(data, **kwargs):', '    return data') },
      broken: { language: 'python', upstream: ['load'], code: lines('@transformer', 'def broken(data, **kwargs):', "    raise ValueError('no good')") },
      enough: {
        type: 'conditional',
        language: 'python',
        upstream: ['clean'],
        code: lines('@condition', 'def enough(data, *args, **kwargs):', "    return data['rows'] > kwargs['minimum']"),
      },
      notify: {
        type: 'callback',
        language: 'python',
        upstream: ['clean', 'broken'],
        code: lines(
          "@callback('success')",
          'def on_ok(data, *args, **kwargs):',
          "    open('notes.txt', 'a').write(f\"ok {kwargs['parent_block_uuid']} {data['rows']}\\n\")",
          '',
          "@callback('failure')",
          'def on_bad(data, *args, **kwargs):',
          "    open('notes.txt', 'a').write(f\"bad {kwargs['parent_block_uuid']} {kwargs['error']}\\n\")",
          '',
          '@on_success',
          'def legacy(**kwargs):',
          "    open('notes.txt', 'a').write(f\"legacy {kwargs['parent_block_uuid']}\\n\")",
        ),
      },
    },
    { variables: { minimum: 1 } },
  );
  const run = pipewright(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 1, 'broken fails the run');
  const notes = readFileSync(join(root, 'notes.txt'), 'utf8').trim().split('\n').sort();
  assert.deepEqual(notes, ['bad broken ValueError: no good', 'legacy clean', 'ok clean 3']);
  const skipped = pipewright(['run', 'p', '--block', 'clean', '--var', 'minimum=5'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(skipped.code, 0, skipped.stdout + skipped.stderr);
  const runs = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
  assert.equal(runs[0].blocks[0].status, 'condition_failed');
  assert.match(runs[0].blocks[0].error.message, /Skipped: condition "enough" is false/);
});

for (const where of ['embedded', 'server'] as const) {
  test(`the course's partitioned export through pyarrow's GcsFileSystem lands ${where === 'embedded' ? 'in the local bucket with an embedded profile' : "at the profile's Cloud Storage endpoint (the local server)"}, where the runtime's gcs reads it`, async (t) => {
    const python = testPython(t);
    if (!python) return;
    const root = pipelineProject(t, {
      load: {
        language: 'python',
        code: lines(
          'import pandas as pd',
          '@data_loader',
          'def load(**kwargs):',
          "    return pd.DataFrame({'fare': [1.0, 2.0, 3.0], 'tpep_pickup_datetime': pd.to_datetime(['2021-01-01 10:00', '2021-01-01 11:00', '2021-01-02 09:00'])})",
        ),
      },
      save: {
        language: 'python',
        type: 'data_exporter',
        upstream: ['load'],
        code: lines(
          'import pyarrow as pa',
          'import pyarrow.parquet as pq',
          'import os',
          '',
          "os.environ['GOOGLE_APPLICATION_CREDENTIALS'] = '/home/src/my-creds.json'",
          "bucket_name = 'mage-zoomcamp-lake'",
          "table_name = 'nyc_taxi_data'",
          "root_path = f'{bucket_name}/{table_name}'",
          '',
          '@data_exporter',
          'def export_data(data, *args, **kwargs):',
          "    data['tpep_pickup_date'] = data['tpep_pickup_datetime'].dt.date",
          '    table = pa.Table.from_pandas(data)',
          '    gcs = pa.fs.GcsFileSystem()',
          "    pq.write_to_dataset(table, root_path=root_path, partition_cols=['tpep_pickup_date'], filesystem=gcs)",
        ),
      },
      check: {
        upstream: ['save'],
        code: lines(
          "import { transformer } from 'pipewright';",
          'export default transformer(async (_saved, ctx) => {',
          "  const trips = await (await ctx.io.gcs(ctx.profile)).readParquet({ bucket: 'mage-zoomcamp-lake', prefix: 'nyc_taxi_data/' });",
          "  return trips.sql('SELECT CAST(tpep_pickup_date AS VARCHAR) AS day, count(*) AS trips FROM data GROUP BY 1 ORDER BY 1');",
          '});',
        ),
      },
    });
    let objects: (() => string[]) | undefined;
    if (where === 'server') {
      const gcs = await startFakeGcs({ buckets: ['mage-zoomcamp-lake'] });
      t.after(() => gcs.close());
      objects = () => [...gcs.objects.keys()];
      appendFileSync(join(root, 'io_config.yaml'), `gcp:\n  GOOGLE_PROJECT_ID: p\n  GOOGLE_STORAGE_API_ENDPOINT: ${gcs.endpoint}\n`);
    }
    const run = await pipewrightAsync(['run', 'p', ...(where === 'server' ? ['--profile', 'gcp'] : [])], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    if (objects) assert.equal(objects().filter((o) => o.endsWith('.parquet')).length, 2, 'one object per day, on the server');
    const days = JSON.parse(pipewright(['preview', 'p', 'check', '--json'], { cwd: root }).stdout).preview;
    assert.deepEqual(
      days.map((r: { day: string; trips: number }) => [r.day, Number(r.trips)]),
      [
        ['2021-01-01', 2],
        ['2021-01-02', 1],
      ],
    );
  });
}

test("the course's loader reads the taxi CSV.gz over HTTP with its dtypes and dates; --block with --with-upstream and typed --vars work for Python blocks", async (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    load_taxi: {
      language: 'python',
      code: lines(
        'import pandas as pd',
        '@data_loader',
        'def load_data(*args, **kwargs):',
        "    taxi_dtypes = {'VendorID': pd.Int64Dtype(), 'passenger_count': pd.Int64Dtype(), 'trip_distance': float, 'PULocationID': pd.Int64Dtype(), 'fare_amount': float}",
        "    parse_dates = ['tpep_pickup_datetime', 'tpep_dropoff_datetime']",
        "    assert isinstance(kwargs['month'], int)",
        "    return pd.read_csv(kwargs['url'], sep=',', compression='gzip', dtype=taxi_dtypes, parse_dates=parse_dates)",
      ),
    },
    clean: { language: 'python', upstream: ['load_taxi'], code: TRANSFORMER },
    other: { language: 'python', code: lines('@data_loader', 'def other(**kwargs):', "    raise ValueError('not part of this run')") },
  });
  const { writeTaxiCsv } = await import('../../../runtime/sample/write-taxi.ts');
  const gz = join(root, 'month.csv.gz');
  await writeTaxiCsv(gz, { rows: 2000, seed: 7 });
  const url = await serveFile(t, gz, 'yellow_tripdata_2021-01.csv.gz');
  const run = await pipewrightAsync(['run', 'p', '--block', 'clean', '--with-upstream', '--var', `url=${url}`, '--var', 'month=1'], {
    cwd: root,
    env: { PIPEWRIGHT_PYTHON: python },
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const runs = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
  assert.deepEqual(
    runs[0].blocks.map((b: { block: string; status: string }) => [b.block, b.status]),
    [
      ['load_taxi', 'completed'],
      ['clean', 'completed'],
    ],
  );
  const loaded = runs[0].blocks[0].rows;
  const cleaned = runs[0].blocks[1].rows;
  assert.equal(loaded, 2000, 'the loader read every row');
  assert.ok(cleaned > 0 && cleaned < loaded, 'zero-passenger rides were dropped');
  const columns = JSON.parse(pipewright(['preview', 'p', 'clean', '--json'], { cwd: root }).stdout).columns.map((c: { name: string; type: string }) => `${c.name} ${c.type}`);
  assert.ok(columns.includes('vendor_id BIGINT') && columns.includes('tpep_pickup_datetime TIMESTAMP') && columns.includes('lpep_pickup_date DATE'), columns.join(', '));
});

test("mage_ai's get_secret_value reads the environment and the project's .env; get_global_variable the pipeline's variables; set_global_variable says why it is refused", (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(
    t,
    {
      read: {
        language: 'python',
        code: lines(
          'from mage_ai.data_preparation.shared.secrets import get_secret_value',
          'from mage_ai.data_preparation.variable_manager import get_global_variable, set_global_variable',
          '@data_loader',
          'def read(**kwargs):',
          '    try:',
          "        set_global_variable('p', 'x', 1)",
          '        refused = None',
          '    except NotImplementedError as error:',
          '        refused = str(error)',
          "    return {'token': get_secret_value('API_TOKEN'), 'year': get_global_variable('p', 'year'), 'refused': refused}",
        ),
      },
    },
    { variables: { year: 2021 }, files: { '.env': 'API_TOKEN=from-dotenv\n' } },
  );
  const run = pipewright(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const value = JSON.parse(pipewright(['preview', 'p', 'read', '--json'], { cwd: root }).stdout).value;
  assert.equal(value.year, 2021);
  assert.match(value.refused, /Pipewright never writes into metadata\.yaml from a run/);
  assert.equal(value.token, '******', 'a secret-named value stays masked in what the block returned');
});

test('a crashed interpreter fails its block, not the run, and a fresh one runs the next block; Ctrl-C stops a Python block and its process', async (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    crash: { language: 'python', code: lines('import os', '@data_loader', 'def crash(**kwargs):', '    os._exit(3)') },
    after: { language: 'python', code: lines('@data_loader', 'def after(**kwargs):', "    return {'ok': True}") },
  });
  const run = pipewright(['run', 'p', '--concurrency', '1'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 1);
  const runs = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
  const block = (name: string) => runs[0].blocks.find((b: { block: string }) => b.block === name);
  assert.match(block('crash').error.message, /^The Python interpreter \(.*\) exited \(code 3\) without finishing the block$/);
  assert.equal(block('after').status, 'completed');

  const waiting = pipelineProject(t, {
    wait: { language: 'python', code: lines('import os, time', '@data_loader', 'def wait(**kwargs):', "    open('pid.txt', 'w').write(str(os.getpid()))", '    time.sleep(60)') },
  });
  const child = spawn(process.execPath, [BIN, 'run', 'p'], { cwd: waiting, stdio: 'ignore', detached: true, env: { ...process.env, PIPEWRIGHT_PYTHON: python } });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const pidFile = join(waiting, 'pid.txt');
  for (let i = 0; i < 400 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
  const pid = Number(readFileSync(pidFile, 'utf8'));
  process.kill(-child.pid!, 'SIGINT');
  assert.equal(await exited, 130);
  // A zombie (exited, not yet reaped by whoever inherited it) is gone too.
  const alive = () => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(), false, 'the Python process is gone');
  const latest = JSON.parse(pipewright(['runs', '--json'], { cwd: waiting }).stdout)[0];
  assert.deepEqual([latest.status, latest.blocks[0].status], ['cancelled', 'cancelled']);
});

test("mage_ai's trigger_pipeline runs another pipeline of the project with its variables; with check_status it waits and says how it ended", (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    start: {
      language: 'python',
      code: lines(
        'from mage_ai.orchestration.triggers.api import trigger_pipeline',
        '@data_loader',
        'def start(**kwargs):',
        "    return trigger_pipeline('other', variables={'who': 'start'}, check_status=True, error_on_failure=True)",
      ),
    },
  });
  mkdirSync(join(root, 'pipelines/other'), { recursive: true });
  writeFileSync(join(root, 'pipelines/other/metadata.yaml'), lines('blocks:', '- uuid: greet', '  type: data_loader', '  language: python', 'name: other', 'uuid: other'));
  writeFileSync(join(root, 'data_loaders/greet.py'), lines('@data_loader', 'def greet(**kwargs):', "    return {'hello': kwargs['who']}"));
  const run = pipewright(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.deepEqual(JSON.parse(pipewright(['preview', 'p', 'start', '--json'], { cwd: root }).stdout).value, { status: 'completed' });
  assert.deepEqual(JSON.parse(pipewright(['preview', 'other', 'greet', '--json'], { cwd: root }).stdout).value, { hello: 'start' });
});

test("Postgres.export's unique_constraints upserts through the runtime: a second run updates the rows it shares with the first and adds the new ones", async (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    save: {
      language: 'python',
      type: 'data_exporter',
      code: lines(
        'import pandas as pd',
        'from mage_ai.io.config import ConfigFileLoader',
        'from mage_ai.io.postgres import Postgres',
        '@data_exporter',
        'def save(**kwargs):',
        "    df = pd.DataFrame({'id': kwargs['ids'], 'label': [kwargs['label']] * len(kwargs['ids'])})",
        "    with Postgres.with_config(ConfigFileLoader(None, 'default')) as loader:",
        "        loader.export(df, 'public', 'labels', index=False, if_exists='append', unique_constraints=['id'], unique_conflict_method='UPDATE')",
      ),
    },
  });
  const { query } = await startPostgres(t, root);
  for (const [ids, label] of [
    ['[1, 2]', 'first'],
    ['[2, 3]', 'second'],
  ]) {
    const run = await pipewrightAsync(['run', 'p', '--var', `ids=${ids}`, '--var', `label=${label}`], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
  }
  const rows = await query('SELECT id, label FROM public.labels ORDER BY id');
  assert.deepEqual(
    rows.map((r) => [Number(r.id), r.label]),
    [
      [1, 'first'],
      [2, 'second'],
      [3, 'second'],
    ],
  );
});

test('a polars DataFrame is stored as a table like a pandas one, and the Python block after it gets a pandas DataFrame', (t) => {
  const python = testPython(t);
  if (!python) return;
  const has = spawnSync(python, ['-c', 'import polars'], { encoding: 'utf8' });
  if (has.status !== 0) {
    if (process.env.PIPEWRIGHT_REQUIRE_PYTHON) assert.fail("no polars in the tests' Python: bash scripts/python-setup.sh installs it");
    t.skip("no polars in the tests' Python (bash scripts/python-setup.sh installs it)");
    return;
  }
  const root = pipelineProject(t, {
    load: { language: 'python', code: lines('import polars as pl', '@data_loader', 'def load(**kwargs):', "    return pl.DataFrame({'zone': ['A', 'B'], 'fare': [1.5, 2.5]})") },
    after: {
      language: 'python',
      upstream: ['load'],
      code: lines(
        '@transformer',
        'def after(df, **kwargs):',
        "    return {'type': f'{type(df).__module__.split(\".\")[0]}.{type(df).__name__}', 'total': float(df['fare'].sum())}",
      ),
    },
  });
  const run = pipewright(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const load = JSON.parse(pipewright(['preview', 'p', 'load', '--json'], { cwd: root }).stdout);
  assert.deepEqual(
    load.columns.map((c: { name: string; type: string }) => `${c.name} ${c.type}`),
    ['zone VARCHAR', 'fare DOUBLE'],
  );
  assert.deepEqual(JSON.parse(pipewright(['preview', 'p', 'after', '--json'], { cwd: root }).stdout).value, { type: 'pandas.DataFrame', total: 4 });
});

test("a Python block returning several outputs with a DataFrame among them (Mage's output_0, output_1) gives the next blocks the list, tables intact", (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    split: {
      language: 'python',
      code: lines('import pandas as pd', '@data_loader', 'def split(**kwargs):', "    return pd.DataFrame({'n': [1, 2, 3]}), pd.DataFrame({'m': [4.5]}), {'note': 'both'}"),
    },
    py_after: {
      language: 'python',
      upstream: ['split'],
      code: lines(
        '@transformer',
        'def after(outputs, **kwargs):',
        '    first, second, note = outputs',
        "    return {'rows': [len(first), len(second)], 'sum': int(first['n'].sum()), 'note': note['note']}",
      ),
    },
    ts_after: {
      upstream: ['split'],
      code: lines(
        "import { transformer } from 'pipewright';",
        'export default transformer(async (outputs) => {',
        '  const [first, second, note] = outputs as unknown as [{ count(): Promise<number> }, { count(): Promise<number> }, { note: string }];',
        '  return { rows: [await first.count(), await second.count()], note: note.note };',
        '});',
      ),
    },
  });
  const run = pipewright(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const value = (block: string) => JSON.parse(pipewright(['preview', 'p', block, '--json'], { cwd: root }).stdout).value;
  assert.deepEqual(value('py_after'), { rows: [3, 1], sum: 6, note: 'both' });
  assert.deepEqual(value('ts_after'), { rows: [3, 1], note: 'both' });
  assert.deepEqual(value('split'), ['DataFrame (3 rows)', 'DataFrame (1 rows)', { note: 'both' }]);
});

test('a Python block stopped while the runtime runs its mage_ai.io request has that request stopped too: the PostgreSQL statement is cancelled', async (t) => {
  const python = testPython(t);
  if (!python) return;
  const root = pipelineProject(t, {
    slow: {
      language: 'python',
      yaml: ['timeout: 3'],
      code: lines(
        'from mage_ai.io.config import ConfigFileLoader',
        'from mage_ai.io.postgres import Postgres',
        '@data_loader',
        'def slow(**kwargs):',
        "    Postgres.with_config(ConfigFileLoader(None, 'default')).execute('SELECT pg_sleep(120)')",
      ),
    },
    // Keeps the run (and its process) going after the slow block is stopped.
    keep: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { await new Promise((r) => setTimeout(r, 8000)); return []; });\n" },
  });
  const { query } = await startPostgres(t, root);
  const events = join(root, 'events.jsonl');
  const run = pipewrightAsync(['run', 'p', '--events', events], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  const sleeping = async () => Number((await query("SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(120)%'"))[0].n);
  const slowEnded = () => existsSync(events) && /"kind":"block-finished"[^\n]*"block":"slow"/.test(readFileSync(events, 'utf8'));
  let seen = 0;
  for (let i = 0; i < 150 && !slowEnded(); i++) {
    seen = Math.max(seen, await sleeping());
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(seen, 1, 'the statement ran on the server while the block waited for it');
  let left = await sleeping();
  for (let i = 0; i < 20 && left > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await sleeping();
  }
  assert.equal(left, 0, "the stopped block's statement was cancelled while the run went on");
  assert.equal((await run).code, 1);
  const slow = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout)[0].blocks.find((b: { block: string }) => b.block === 'slow');
  assert.match(slow.error.message, /Timed out after 3 s/);
});
