import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, pipewright, pipewrightAsync } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';
import { startPostgres } from '../../helpers/postgres.ts';

// The Postgres connector against a real server: the embedded PostgreSQL from npm that Pipewright
// starts itself (the embedded profile of these projects).

const EXPORT = (rowsCode: string, options: string) =>
  [
    "import { dataExporter } from 'pipewright';",
    'export default dataExporter(async (ctx) => {',
    '  const postgres = await ctx.io.postgres();',
    `  const rows = ${rowsCode};`,
    `  ctx.log.info('wrote', await postgres.export(rows, ${options}));`,
    '});',
  ].join('\n');

test('values that are easy to get wrong survive the trip: nulls, timestamps, numerics, quotes, newlines, unicode', async (t) => {
  const root = pipelineProject(t, {
    save: {
      type: 'data_exporter',
      code: EXPORT(
        `[
          { id: 1, fare: 12.5, big: 9007199254740991, ok: true, at: new Date('2021-01-01T00:15:56Z'), note: 'a,b "quoted"\\nnext line', city: 'Zürich 東京 🚕' },
          { id: 2, fare: null, big: null, ok: null, at: null, note: '', city: null },
        ]`,
        "{ schema: 'checks', table: 'values' }",
      ),
    },
  });
  const { query } = await startPostgres(t, root);
  const run = await pipewrightAsync(['run', 'p'], { cwd: root });
  assert.equal(run.code, 0, run.stdout);
  assert.match(run.stdout, /│ wrote 2/);
  const rows = await query('SELECT * FROM checks."values" ORDER BY id');
  assert.deepEqual(rows, [
    { id: '1', fare: 12.5, big: '9007199254740991', ok: true, at: new Date('2021-01-01T00:15:56Z'), note: 'a,b "quoted"\nnext line', city: 'Zürich 東京 🚕' },
    { id: '2', fare: null, big: null, ok: null, at: null, note: '', city: null },
  ]);
  const types = await query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'checks' ORDER BY ordinal_position");
  assert.deepEqual(
    types.map((r) => `${r.column_name}:${r.data_type}`),
    ['id:bigint', 'fare:double precision', 'big:bigint', 'ok:boolean', 'at:timestamp without time zone', 'note:text', 'city:text'],
  );
});

test('ifExists: replace swaps the table, append adds to it, fail refuses and leaves it', async (t) => {
  const root = pipelineProject(t, {
    save: {
      type: 'data_exporter',
      code: EXPORT(
        '[{ n: Number(ctx.vars.n), label: String(ctx.vars.label) }]',
        "{ table: String(ctx.vars.table ?? 'counts'), ifExists: ctx.vars.mode as 'replace' | 'append' | 'fail' }",
      ),
    },
  });
  const { query } = await startPostgres(t, root);
  const run = (mode: string, n: number) => pipewrightAsync(['run', 'p', '--var', `mode=${mode}`, '--var', `n=${n}`, '--var', `label=${mode}`], { cwd: root });
  assert.equal((await run('replace', 1)).code, 0);
  assert.equal((await run('append', 2)).code, 0);
  assert.deepEqual(await query('SELECT n, label FROM counts ORDER BY n'), [
    { n: '1', label: 'replace' },
    { n: '2', label: 'append' },
  ]);
  const refused = await run('fail', 3);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /Table public\.counts already exists and ifExists is "fail"/);
  assert.equal((await query('SELECT count(*)::int AS n FROM counts'))[0].n, 2);
  assert.equal((await run('replace', 9)).code, 0);
  assert.deepEqual(await query('SELECT n, label FROM counts'), [{ n: '9', label: 'replace' }]);
  const leftovers = await query("SELECT tablename FROM pg_tables WHERE tablename LIKE '%__pw_%'");
  assert.deepEqual(leftovers, [], 'no staging tables left behind');
  // PostgreSQL cuts names at 63 bytes: the February table would have replaced January's.
  const month = (m: string) => `yellow_taxi_trips_of_new_york_city_partitioned_by_pickup_day_${m}`;
  const tooLong = await pipewrightAsync(['run', 'p', '--var', 'mode=replace', '--var', 'n=1', '--var', 'label=jan', '--var', `table=${month('jan')}`], { cwd: root });
  assert.equal(tooLong.code, 1);
  assert.match(tooLong.stdout, /Table name "yellow_taxi_trips_of_new_york_city_partitioned_by_pickup_day_jan" is 64 bytes; PostgreSQL keeps only 63/);
  assert.deepEqual(await query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'yellow_taxi%'"), [], 'nothing was written');
});

test('a load killed half-way leaves the previous table exactly as it was', async (t) => {
  const root = pipelineProject(t, {
    save: {
      type: 'data_exporter',
      code: EXPORT(
        'Number(ctx.vars.rows) > 10 ? (async function* () { for (let s = 0; s < Number(ctx.vars.rows); s += 100_000) yield Array.from({ length: 100_000 }, (_, i) => ({ id: s + i, v: "x".repeat(40) })); })() : [{ id: 1, v: "old" }, { id: 2, v: "old" }]',
        "{ table: 'trips' }",
      ),
    },
  });
  const { query } = await startPostgres(t, root);
  assert.equal((await pipewrightAsync(['run', 'p', '--var', 'rows=2'], { cwd: root })).code, 0);
  const events = join(root, 'events.jsonl');
  // MALLOC_ARENA_MAX set: the launcher runs the CLI in its own process, so SIGKILL hits the real one.
  const child = spawn(process.execPath, [BIN, 'run', 'p', '--var', 'rows=3000000', '--events', events], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let copying = false;
  for (let i = 0; i < 600 && !copying; i++) {
    await new Promise((r) => setTimeout(r, 50));
    copying = Number((await query("SELECT count(*)::int AS n FROM pg_stat_progress_copy WHERE command = 'COPY FROM' AND tuples_processed > 0"))[0].n) > 0;
  }
  assert.ok(copying, 'the COPY was seen in progress');
  child.kill('SIGKILL');
  await exited;
  assert.ok(existsSync(events) && readFileSync(events, 'utf8').includes('"block-started"'));
  // The server notices the dropped connection and rolls its transaction back.
  for (let i = 0; i < 100 && Number((await query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pipewright'"))[0].n) > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(await query('SELECT id, v FROM trips ORDER BY id'), [
    { id: '1', v: 'old' },
    { id: '2', v: 'old' },
  ]);
  assert.deepEqual(await query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'trips__pw_%'"), []);
});

test('Ctrl-C while the embedded PostgreSQL runs still cancels the run cleanly, and stops the server', async (t) => {
  const root = pipelineProject(t, {
    hold: {
      type: 'data_exporter',
      code: [
        "import { dataExporter } from 'pipewright';",
        'export default dataExporter(async (ctx) => {',
        "  await (await ctx.io.postgres()).query('SELECT 1');",
        "  ctx.log.info('connected');",
        '  while (true) await new Promise((r) => setTimeout(r, 100));',
        '});',
      ].join('\n'),
    },
  });
  chmodSync(root, 0o755);
  const events = join(root, 'events.jsonl');
  const child = spawn(process.execPath, [BIN, 'run', 'p', '--events', events], { cwd: root, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 400 && !(existsSync(events) && readFileSync(events, 'utf8').includes('connected')); i++) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  const last = JSON.parse(readFileSync(events, 'utf8').trim().split('\n').at(-1)!);
  assert.deepEqual([last.kind, last.status], ['run-finished', 'cancelled']);
  assert.equal(existsSync(join(root, '.pipewright/postgres/data/postmaster.pid')), false, 'the server was stopped');
});

test('upserts: uniqueConstraints update or ignore rows whose key exists, in one statement', async (t) => {
  const root = pipelineProject(t, {
    save: {
      type: 'data_exporter',
      code: EXPORT(
        'ctx.vars.rows as Record<string, unknown>[]',
        "{ table: 'zones', ...(ctx.vars.method ? { uniqueConstraints: ['id'], uniqueConflictMethod: ctx.vars.method as 'UPDATE' | 'IGNORE' } : {}) }",
      ),
    },
  });
  const { query } = await startPostgres(t, root);
  const run = (rows: unknown[], method?: string) =>
    pipewrightAsync(['run', 'p', '--var', `rows=${JSON.stringify(rows)}`, ...(method ? ['--var', `method=${method}`] : [])], { cwd: root });
  assert.equal(
    (
      await run([
        { id: 1, name: 'Bronx' },
        { id: 2, name: 'Brooklyn' },
      ])
    ).code,
    0,
  );
  const update = await run(
    [
      { id: 2, name: 'BROOKLYN' },
      { id: 3, name: 'Queens' },
      { id: 3, name: 'Queens (last)' },
    ],
    'UPDATE',
  );
  assert.equal(update.code, 0, update.stdout);
  assert.match(update.stdout, /│ wrote 2/);
  assert.deepEqual(await query('SELECT id::int, name FROM zones ORDER BY id'), [
    { id: 1, name: 'Bronx' },
    { id: 2, name: 'BROOKLYN' },
    { id: 3, name: 'Queens (last)' },
  ]);
  assert.equal(
    (
      await run(
        [
          { id: 1, name: 'ignored' },
          { id: 4, name: 'Staten Island' },
        ],
        'IGNORE',
      )
    ).code,
    0,
  );
  assert.deepEqual(await query('SELECT id::int, name FROM zones ORDER BY id'), [
    { id: 1, name: 'Bronx' },
    { id: 2, name: 'BROOKLYN' },
    { id: 3, name: 'Queens (last)' },
    { id: 4, name: 'Staten Island' },
  ]);
});

test('a SQL block with data_provider: postgres runs on PostgreSQL over its uploaded upstream output', async (t) => {
  const root = pipelineProject(t, {
    zones: {
      code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ id: 1, name: 'bronx' }, { id: 2, name: 'queens' }, { id: 3, name: 'manhattan' }]);\n",
    },
    upper: {
      language: 'sql',
      upstream: ['zones'],
      code: "-- runs on PostgreSQL\nSELECT id, upper(name) AS name, '{{ ds }}' AS ds FROM {{ df_1 }} WHERE id > 1 -- a trailing comment must not swallow the COMMIT\n",
      yaml: [
        'configuration: {data_provider: postgres, data_provider_profile: default, data_provider_schema: analytics, data_provider_table: zones_upper, export_write_policy: replace}',
      ],
    },
    count: {
      upstream: ['upper'],
      code: "import { transformer } from 'pipewright';\nexport default transformer(async (rows) => rows.sql('SELECT count(*)::INT AS n FROM data'));\n",
    },
  });
  const { query } = await startPostgres(t, root);
  const run = await pipewrightAsync(['run', 'p', '--execution-date', '2021-01-15'], { cwd: root });
  assert.equal(run.code, 0, run.stdout);
  assert.deepEqual(await query('SELECT id::int, name, ds FROM analytics.zones_upper ORDER BY id'), [
    { id: 2, name: 'QUEENS', ds: '2021-01-15' },
    { id: 3, name: 'MANHATTAN', ds: '2021-01-15' },
  ]);
  assert.equal((await query('SELECT count(*)::int AS n FROM analytics.p_zones'))[0].n, 3, 'the upstream output was uploaded');
  const preview = pipewright(['preview', 'p', 'count', '--json'], { cwd: root });
  assert.equal(preview.code, 0, preview.stderr);
  assert.deepEqual(JSON.parse(preview.stdout).preview, [{ n: 2 }]);
  assert.equal((await pipewrightAsync(['run', 'p', '--execution-date', '2021-01-16'], { cwd: root })).code, 0, 'replace runs again');
  assert.deepEqual(
    (await query('SELECT DISTINCT ds FROM analytics.zones_upper')).map((r) => r.ds),
    ['2021-01-16'],
  );
});

test('a loader block returns a PostgreSQL query as its output, streamed out with COPY, and the next block reads it', async (t) => {
  const root = pipelineProject(t, {
    zones: {
      code: [
        "import { dataLoader } from 'pipewright';",
        'export default dataLoader(async (ctx) => {',
        '  const postgres = await ctx.io.postgres();',
        "  await postgres.query('CREATE TABLE IF NOT EXISTS zones AS SELECT * FROM (VALUES (1, $$Bronx$$), (2, $$Brooklyn$$), (3, NULL)) AS z(id, borough)');",
        "  return postgres.load('SELECT id, borough FROM zones WHERE id >= 2; -- not Bronx');",
        '});',
      ].join('\n'),
    },
    named: { upstream: ['zones'], language: 'sql', code: 'SELECT count(*) AS zones, count(borough) AS named FROM {{ df_1 }}\n' },
  });
  await startPostgres(t, root);
  const run = await pipewrightAsync(['run', 'p'], { cwd: root });
  assert.equal(run.code, 0, run.stdout);
  const zones = JSON.parse((await pipewrightAsync(['preview', 'p', 'zones', '--json'], { cwd: root })).stdout);
  assert.deepEqual(zones.preview, [
    { id: 2, borough: 'Brooklyn' },
    { id: 3, borough: null },
  ]);
  assert.deepEqual(JSON.parse((await pipewrightAsync(['preview', 'p', 'named', '--json'], { cwd: root })).stdout).preview, [{ zones: 2, named: 1 }]);
});

test('a statement a stopped block left on PostgreSQL is cancelled, not left running on the server', async (t) => {
  const root = pipelineProject(t, {
    sleepy: {
      language: 'sql',
      code: 'SELECT 1 AS slept FROM pg_sleep(600)\n',
      yaml: ['timeout: 2', 'configuration: {data_provider: postgres, data_provider_profile: default, data_provider_table: slept, export_write_policy: replace}'],
    },
  });
  const { query } = await startPostgres(t, root);
  const run = await pipewrightAsync(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stdout, /Timed out after 2 s/);
  let sleeping = await query("SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()");
  for (let i = 0; i < 50 && sleeping.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    sleeping = await query("SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()");
  }
  assert.deepEqual(sleeping, [], "the block's statement still runs on the server");
});
