// Mage's Python blocks, run unchanged with a real Python (pandas, pyarrow): mixed with TypeScript and
// SQL blocks, with Mage's kwargs, tests, logs and errors.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pythonFor } from '../../../runtime/executor/python-runner.ts';
import { pipewright } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';
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
      code: lines('@transformer', 'def summarize(df, **kwargs):', "    return {'type': type(df).__name__, 'total': float(df['fare'].sum()), 'block': kwargs['block_uuid']}"),
    },
  });
  const run = pipewright(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PYTHON: python } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const preview = JSON.parse(pipewright(['preview', 'p', 'summary', '--json'], { cwd: root }).stdout);
  assert.deepEqual(preview.value, { type: 'DataFrame', total: 17.5, block: 'summary' });
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
