import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunOptions, RunResult } from '../../../runtime/executor/run-pipeline.ts';
import { Scheduler } from '../../../runtime/scheduler/scheduler.ts';
import { pipewright, pipewrightAsync } from '../../helpers/cli.ts';
import { lines, writeTree } from '../../helpers/project-tree.ts';

// The scheduler against an injected clock and a recording runner: what it starts, and when.

function project(t: import('node:test').TestContext, trigger: string[]): string {
  return writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'custom/noop.ts': "import { custom } from 'pipewright';\nexport default custom(async () => {});\n",
    'pipelines/p/metadata.yaml': lines('blocks:', '- {uuid: noop, type: custom, language: typescript}', 'uuid: p'),
    'pipelines/p/triggers.yaml': lines('triggers:', ...trigger.map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`))),
  });
}

function recorder() {
  const calls: RunOptions[] = [];
  const pending: (() => void)[] = [];
  const run = (options: RunOptions) => {
    calls.push(options);
    return new Promise<RunResult>((resolve) => pending.push(() => resolve({ runId: `r${calls.length}`, status: 'completed', blocks: new Map() })));
  };
  return { calls, run, finishAll: () => pending.splice(0).forEach((f) => f()) };
}

const dates = (calls: RunOptions[]) => calls.map((c) => c.executionDate!.toISOString());

test('a daily trigger runs the boundary just passed, once, however often it is checked', (t) => {
  const root = project(t, ['name: daily', "schedule_interval: '@daily'", 'status: active', 'schedule_type: time']);
  const { calls, run } = recorder();
  let now = new Date('2021-01-05T10:00:00Z');
  const scheduler = new Scheduler({ root, now: () => now, run });
  scheduler.tick();
  scheduler.tick();
  assert.deepEqual(dates(calls), ['2021-01-05T00:00:00.000Z']);
  assert.equal(calls[0].trigger!.name, 'daily');
  assert.deepEqual([calls[0].interval!.start, calls[0].interval!.end, calls[0].interval!.previousStart].map((d) => d!.toISOString()), ['2021-01-05T00:00:00.000Z', '2021-01-06T00:00:00.000Z', '2021-01-04T00:00:00.000Z']);
  now = new Date('2021-01-06T00:00:01Z');
  scheduler.tick();
  assert.deepEqual(dates(calls).slice(1), ['2021-01-06T00:00:00.000Z']);
});

test('two schedulers at once, or one restarted, never start the same run twice', (t) => {
  const root = project(t, ['name: hourly', "schedule_interval: '@hourly'", 'status: active', 'schedule_type: time']);
  const now = () => new Date('2021-01-05T10:30:00Z');
  const first = recorder();
  const second = recorder();
  const a = new Scheduler({ root, now, run: first.run });
  const b = new Scheduler({ root, now, run: second.run });
  a.tick();
  b.tick();
  assert.equal(first.calls.length + second.calls.length, 1);
  const restarted = recorder();
  new Scheduler({ root, now, run: restarted.run }).tick();
  assert.equal(restarted.calls.length, 0);
});

test('catch_up: all runs every missed day since start_time, latest only the newest, none only what passes while up', (t) => {
  const trigger = (policy: string) => ['name: daily', "schedule_interval: '@daily'", 'status: active', "start_time: '2021-01-01 00:00:00'", `catch_up: ${policy}`];
  const at = new Date('2021-01-04T01:00:00Z');
  const all = recorder();
  new Scheduler({ root: project(t, trigger('all')), now: () => at, run: all.run }).tick();
  assert.deepEqual(dates(all.calls), ['2021-01-01T00:00:00.000Z', '2021-01-02T00:00:00.000Z', '2021-01-03T00:00:00.000Z', '2021-01-04T00:00:00.000Z']);
  const latest = recorder();
  new Scheduler({ root: project(t, trigger('latest')), now: () => at, run: latest.run }).tick();
  assert.deepEqual(dates(latest.calls), ['2021-01-04T00:00:00.000Z']);
  const none = recorder();
  let now = at;
  const upLate = new Scheduler({ root: project(t, trigger('none')), now: () => now, run: none.run });
  upLate.tick();
  assert.deepEqual(dates(none.calls), [], 'the boundary before start-up is not caught up');
  now = new Date('2021-01-05T00:00:05Z');
  upLate.tick();
  assert.deepEqual(dates(none.calls), ['2021-01-05T00:00:00.000Z']);
});

test('trigger edits apply without a restart; inactive triggers never run', (t) => {
  const root = project(t, ['name: daily', "schedule_interval: '@daily'", 'status: inactive']);
  const { calls, run } = recorder();
  const scheduler = new Scheduler({ root, now: () => new Date('2021-01-05T10:00:00Z'), run });
  scheduler.tick();
  assert.equal(calls.length, 0);
  writeFileSync(join(root, 'pipelines/p/triggers.yaml'), lines('triggers:', '- name: daily', "  schedule_interval: '@daily'", '  status: active', '  variables: {region: eu}'));
  scheduler.tick();
  assert.deepEqual(dates(calls), ['2021-01-05T00:00:00.000Z']);
  assert.deepEqual(calls[0].trigger!.variables, { region: 'eu' });
});

test('skip_if_previous_running skips a boundary while the run before it still goes', async (t) => {
  const root = project(t, ['name: often', "schedule_interval: '*/5 * * * *'", 'status: active', 'settings: {skip_if_previous_running: true}']);
  const { calls, run, finishAll } = recorder();
  let now = new Date('2021-01-05T10:01:00Z');
  const logs: string[] = [];
  const scheduler = new Scheduler({ root, now: () => now, run, log: (l) => logs.push(l) });
  const [first] = scheduler.tick();
  now = new Date('2021-01-05T10:06:00Z');
  scheduler.tick();
  assert.deepEqual(dates(calls), ['2021-01-05T10:00:00.000Z']);
  assert.ok(logs.some((l) => /10:05:00.000Z skipped, the previous run is still going/.test(l)));
  finishAll();
  await first.done;
  now = new Date('2021-01-05T10:11:00Z');
  scheduler.tick();
  assert.deepEqual(dates(calls), ['2021-01-05T10:00:00.000Z', '2021-01-05T10:10:00.000Z']);
});

test('@once runs once at its start_time; a cron on the 31st runs only in months that have one', (t) => {
  const once = recorder();
  const onceScheduler = new Scheduler({ root: project(t, ['name: once', "schedule_interval: '@once'", 'status: active', "start_time: '2021-01-02 08:00:00'"]), now: () => new Date('2021-01-03T00:00:00Z'), run: once.run });
  onceScheduler.tick();
  onceScheduler.tick();
  assert.deepEqual(dates(once.calls), ['2021-01-02T08:00:00.000Z']);
  const monthly = recorder();
  new Scheduler({ root: project(t, ['name: eom', "schedule_interval: '0 0 31 * *'", 'status: active']), now: () => new Date('2021-04-15T00:00:00Z'), run: monthly.run }).tick();
  assert.deepEqual(dates(monthly.calls), ['2021-03-31T00:00:00.000Z']);
});

test('pipewright scheduler --once runs what is due for real and records the trigger', (t) => {
  const root = project(t, ['name: daily', "schedule_interval: '@daily'", 'status: active', "start_time: '2021-01-01 00:00:00'"]);
  const first = pipewright(['scheduler', '--once'], { cwd: root });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stdout, /p\/daily: starting the run for \d{4}-\d{2}-\d{2}T00:00:00\.000Z/);
  const runs = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
  assert.deepEqual([runs.length, runs[0].status, runs[0].trigger], [1, 'completed', 'daily']);
  const again = pipewright(['scheduler', '--once'], { cwd: root });
  assert.match(again.stdout, /nothing is due/);
});

test('two scheduler processes started together run a due boundary exactly once', async (t) => {
  const root = project(t, ['name: daily', "schedule_interval: '@daily'", 'status: active']);
  const [a, b] = await Promise.all([pipewrightAsync(['scheduler', '--once'], { cwd: root }), pipewrightAsync(['scheduler', '--once'], { cwd: root })]);
  assert.deepEqual([a.code, b.code], [0, 0]);
  assert.equal([a.stdout, b.stdout].filter((out) => /starting the run/.test(out)).length, 1);
  assert.equal(JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout).length, 1);
});
