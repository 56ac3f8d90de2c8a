// SQL blocks with data_provider: bigquery, on the embedded warehouse and on BigQuery (the official
// client against the local server).
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HOLD_QUERY, startFakeBigQuery } from '../../google/fake-bigquery.ts';
import { startFakeGcs } from '../../google/fake-gcs.ts';
import { pipewright, pipewrightAsync } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';

const BLOCKS = {
  trips: {
    code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(() => [{ zone: 'A', fare: 10 }, { zone: 'A', fare: 5 }, { zone: 'B', fare: 7 }]);\n",
  },
  fares_by_zone: {
    language: 'sql' as const,
    upstream: ['trips'],
    code: "SELECT zone, sum(fare) AS total FROM {{ df_1 }} WHERE zone <> '{{ variables('skip') }}' GROUP BY zone ORDER BY zone\n",
    yaml: ['configuration:', '  data_provider: bigquery', '  data_provider_schema: analytics', '  data_provider_table: fares', '  export_write_policy: replace'],
  },
};

test('a SQL block on the embedded warehouse reads its upstream as a table and writes its result table', async (t) => {
  const root = pipelineProject(t, BLOCKS, { variables: { skip: 'none' } });
  const run = await pipewrightAsync(['run', 'p'], { cwd: root });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const preview = JSON.parse(pipewright(['preview', 'p', 'fares_by_zone', '--json'], { cwd: root }).stdout);
  assert.deepEqual(
    preview.preview.map((r: { zone: string; total: number }) => [r.zone, Number(r.total)]),
    [
      ['A', 15],
      ['B', 7],
    ],
  );
  const { openDuck } = await import('../../../runtime/data/duck.ts');
  const duck = await openDuck();
  t.after(() => duck.closeSync());
  await duck.run(`ATTACH '${join(root, '.pipewright/warehouse.duckdb')}' AS w (READ_ONLY)`);
  const stored = (await duck.runAndReadAll('SELECT zone, total FROM w.analytics.fares ORDER BY zone')).getRowObjectsJS();
  assert.deepEqual(
    stored.map((r) => [r.zone, Number(r.total)]),
    [
      ['A', 15],
      ['B', 7],
    ],
  );
});

test('a SQL block on BigQuery, and one without a dataset is told to name it', async (t) => {
  const gcs = await startFakeGcs();
  t.after(() => gcs.close());
  const bigquery = await startFakeBigQuery({ gcsEndpoint: gcs.endpoint });
  t.after(() => bigquery.close());
  const root = pipelineProject(t, BLOCKS, { variables: { skip: 'B' } });
  appendFileSync(join(root, 'io_config.yaml'), `gcp:\n  GOOGLE_PROJECT_ID: p\n  GOOGLE_BIGQUERY_API_ENDPOINT: ${bigquery.endpoint}\n`);
  const run = await pipewrightAsync(['run', 'p', '--profile', 'gcp'], { cwd: root });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.deepEqual(
    (await bigquery.sql('SELECT zone, total FROM analytics.fares')).map((r) => [r.zone, Number(r.total)]),
    [['A', 15]],
  );
  assert.ok(bigquery.tables.has('analytics.p_trips'), 'the upstream output went up as a table');
  // PIPEWRIGHT_PROFILE (a dev container sets it) chooses the profile when --profile does not.
  const unknown = await pipewrightAsync(['run', 'p'], { cwd: root, env: { PIPEWRIGHT_PROFILE: 'nosuch' } });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout + unknown.stderr, /nosuch/);
  const flagWins = await pipewrightAsync(['run', 'p', '--profile', 'gcp'], { cwd: root, env: { PIPEWRIGHT_PROFILE: 'nosuch' } });
  assert.equal(flagWins.code, 0, flagWins.stdout + flagWins.stderr);

  const missing = pipelineProject(t, { ...BLOCKS, fares_by_zone: { ...BLOCKS.fares_by_zone, yaml: ['configuration:', '  data_provider: bigquery'] } });
  const failed = await pipewrightAsync(['run', 'p'], { cwd: missing });
  assert.equal(failed.code, 1);
  assert.match(failed.stdout + failed.stderr, /fares_by_zone\.sql.*\n?.*needs the dataset to work in: add data_provider_schema/);
});

test('a BigQuery query job of a block stopped by its timeout is cancelled, not left running (and billing)', async (t) => {
  const gcs = await startFakeGcs();
  t.after(() => gcs.close());
  const bigquery = await startFakeBigQuery({ gcsEndpoint: gcs.endpoint });
  t.after(() => bigquery.close());
  const root = pipelineProject(t, {
    slow: {
      language: 'sql',
      code: `SELECT ${HOLD_QUERY} 1 AS one\n`,
      yaml: ['timeout: 2', 'configuration:', '  data_provider: bigquery', '  data_provider_schema: analytics', '  use_raw_sql: true'],
    },
  });
  appendFileSync(join(root, 'io_config.yaml'), `gcp:\n  GOOGLE_PROJECT_ID: p\n  GOOGLE_BIGQUERY_API_ENDPOINT: ${bigquery.endpoint}\n`);
  const run = await pipewrightAsync(['run', 'p', '--profile', 'gcp'], { cwd: root });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /Timed out after 2 s/);
  assert.equal(bigquery.cancelled.length, 1, `jobs.cancel calls: ${bigquery.requests.filter((r) => r.includes('cancel')).join(', ')}`);
});

test('an unknown export_write_policy is refused before the run starts, and by the one check both providers share if it gets that far', async (t) => {
  const root = pipelineProject(t, {
    ...BLOCKS,
    fares_by_zone: { ...BLOCKS.fares_by_zone, yaml: ['configuration:', '  data_provider: postgres', '  export_write_policy: upsert'] },
  });
  const run = await pipewrightAsync(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /metadata\.yaml:\d+:\d+: error: "export_write_policy" must be one of append, replace, fail; got "upsert"/);
  const { providerTarget } = await import('../../../runtime/executor/sql-block.ts');
  const options = { file: 'b.sql', pipeline: 'p', block: 'b', inputs: [], variables: {}, env: () => undefined, outputDir: '', duck: () => Promise.reject(new Error('unused')) };
  assert.deepEqual(providerTarget({ ...options, configuration: {} }), { table: 'p_b', policy: 'append' });
  assert.throws(() => providerTarget({ ...options, configuration: { export_write_policy: 'upsert' } }), /export_write_policy must be append, replace or fail, not "upsert"/);
});
