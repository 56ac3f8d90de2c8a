import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pipewrightAsync, pipewright } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';

// Each run writes its day's partition with flag 'wx': a second write of one partition would fail,
// so "every partition written once" is checked by the runs themselves and by the folder.
const PARTITION_WRITER = [
  "import { dataExporter } from 'pipewright';",
  "import { mkdirSync, writeFileSync } from 'node:fs';",
  'export default dataExporter(async (ctx) => {',
  "  if (ctx.vars.ds === '2021-01-10' && !process.env.PW_TEST_FIXED) throw new Error('no data for 2021-01-10 yet');",
  "  mkdirSync('partitions', { recursive: true });",
  "  writeFileSync(`partitions/ds=${String(ctx.vars.ds)}.json`, JSON.stringify({ start: ctx.vars.interval_start_datetime, end: ctx.vars.interval_end_datetime, env: ctx.vars.env, tag: ctx.vars.tag }), { flag: 'wx' });",
  '});',
].join('\n');

function runs(root: string) {
  return JSON.parse(pipewright(['runs', '--json', '--limit', '0'], { cwd: root }).stdout) as { status: string; execution_date: string; backfill: string | null }[];
}

test('a backfill of 60 daily runs with concurrency 4 makes each run once, resumes, and survives a failed day', async (t) => {
  const root = pipelineProject(t, { write: { type: 'data_exporter', code: PARTITION_WRITER } });
  const args = ['backfill', 'p', '--start', '2021-01-01', '--end', '2021-03-01', '--interval', 'day', '--concurrency', '4', '--var', 'tag=b1'];
  const first = await pipewrightAsync(args, { cwd: root });
  assert.equal(first.code, 1, first.stdout);
  assert.match(first.stdout, /60 intervals, 60 to run, 0 already done/);
  assert.match(first.stdout, /2021-01-10 +failed .*write: no data for 2021-01-10 yet/);
  assert.match(first.stdout, /✖ backfill incomplete in .*: 59 completed, 1 failed/);
  assert.equal(readdirSync(join(root, 'partitions')).length, 59);

  const dry = pipewright([...args, '--dry-run'], { cwd: root });
  assert.match(dry.stdout, /60 intervals, 1 to run, 59 already done/);
  assert.match(dry.stdout, /2021-01-10 +\[2021-01-10 → 2021-01-11\) +run/);
  assert.match(dry.stdout, /2021-01-11 +\[2021-01-11 → 2021-01-12\) +skip \(completed in /);

  const resumed = await pipewrightAsync(args, { cwd: root, env: { PW_TEST_FIXED: '1' } });
  assert.equal(resumed.code, 0, resumed.stdout);
  assert.match(resumed.stdout, /✔ backfill done in .*: 59 skipped, 1 completed|✔ backfill done in .*: 1 completed, 59 skipped/);
  const partitions = readdirSync(join(root, 'partitions')).sort();
  assert.equal(partitions.length, 60);
  assert.equal(partitions[0], 'ds=2021-01-01.json');
  assert.equal(partitions.at(-1), 'ds=2021-03-01.json');

  const completed = runs(root).filter((r) => r.status === 'completed');
  assert.equal(completed.length, 60);
  assert.equal(new Set(completed.map((r) => r.execution_date)).size, 60);
  assert.ok(completed.every((r) => r.backfill === 'p 2021-01-01..2021-03-01 every 1 day'));
});

test('each backfill run gets its interval and prod as env, as Mage gives them', async (t) => {
  const root = pipelineProject(t, { write: { type: 'data_exporter', code: PARTITION_WRITER } });
  const run = await pipewrightAsync(['backfill', 'p', '--start', '2021-02-01', '--end', '2021-02-02', '--var', 'tag=x'], { cwd: root });
  assert.equal(run.code, 0, run.stdout);
  const written = JSON.parse(readFileSync(join(root, 'partitions/ds=2021-02-02.json'), 'utf8'));
  assert.deepEqual(written, { start: '2021-02-02T00:00:00.000Z', end: '2021-02-03T00:00:00.000Z', env: 'prod', tag: 'x' });
});

test("--dry-run --json gives the plan an editor shows before starting; --events appends every run's events", async (t) => {
  const root = pipelineProject(t, { write: { type: 'data_exporter', code: PARTITION_WRITER } });
  const args = ['backfill', 'p', '--start', '2021-03-01', '--end', '2021-03-03'];
  const plan = JSON.parse(pipewright([...args, '--dry-run', '--json'], { cwd: root }).stdout);
  assert.deepEqual([plan.pipeline, plan.to_run, plan.done, plan.intervals.length], ['p', 3, 0, 3]);
  assert.deepEqual(plan.intervals[0], {
    execution_date: '2021-03-01T00:00:00.000Z',
    start: '2021-03-01T00:00:00.000Z',
    end: '2021-03-02T00:00:00.000Z',
    action: 'run',
    previous_run_id: null,
  });
  assert.equal((await pipewrightAsync([...args, '--end', '2021-03-02', '--events', 'events.jsonl'], { cwd: root })).code, 0);
  const events = readFileSync(join(root, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; status?: string });
  assert.deepEqual(
    events.filter((e) => e.kind === 'run-finished').map((e) => e.status),
    ['completed', 'completed'],
  );
  const after = JSON.parse(pipewright([...args, '--dry-run', '--json'], { cwd: root }).stdout);
  assert.deepEqual([after.to_run, after.done], [1, 2]);
  assert.match(after.intervals[0].previous_run_id, /^\d{8}T\d{6}-[0-9a-f]{6}$/);
});

test('a backfill over 365 days makes 365 runs, none lost or doubled, each day written once', async (t) => {
  const root = pipelineProject(t, { write: { type: 'data_exporter', code: PARTITION_WRITER } });
  const run = await pipewrightAsync(['backfill', 'p', '--start', '2022-01-01', '--end', '2022-12-31', '--concurrency', '4'], { cwd: root, env: { PW_TEST_FIXED: '1' } });
  assert.equal(run.code, 0, run.stdout.slice(-2000));
  const all = runs(root);
  assert.equal(all.length, 365);
  assert.ok(all.every((r) => r.status === 'completed'));
  assert.equal(new Set(all.map((r) => r.execution_date)).size, 365);
  assert.equal(readdirSync(join(root, 'partitions')).length, 365);
  assert.match(run.stdout, /backfill done in .*: 365 completed/);
});
