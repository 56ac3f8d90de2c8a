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
  assert.deepEqual(
    [calls[0].interval!.start, calls[0].interval!.end, calls[0].interval!.previousStart].map((d) => d!.toISOString()),
    ['2021-01-05T00:00:00.000Z', '2021-01-06T00:00:00.000Z', '2021-01-04T00:00:00.000Z'],
  );
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
  const onceScheduler = new Scheduler({
    root: project(t, ['name: once', "schedule_interval: '@once'", 'status: active', "start_time: '2021-01-02 08:00:00'"]),
    now: () => new Date('2021-01-03T00:00:00Z'),
    run: once.run,
  });
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

test('pipeline_run_limit holds a due boundary until a run of the trigger ends', async (t) => {
  const root = project(t, [
    'name: daily',
    "schedule_interval: '@daily'",
    'status: active',
    "start_time: '2021-01-01 00:00:00'",
    'catch_up: all',
    'settings: {pipeline_run_limit: 1}',
  ]);
  const { calls, run, finishAll } = recorder();
  const logs: string[] = [];
  const scheduler = new Scheduler({ root, now: () => new Date('2021-01-03T10:00:00Z'), run, log: (l) => logs.push(l) });
  const [first] = scheduler.tick();
  assert.deepEqual(dates(calls), ['2021-01-01T00:00:00.000Z']);
  assert.ok(
    logs.some((l) => /2021-01-02T00:00:00.000Z waits, 1 of its runs are going \(pipeline_run_limit: 1\)/.test(l)),
    logs.join('\n'),
  );
  scheduler.tick();
  assert.equal(calls.length, 1, 'still one at a time');
  finishAll();
  await first.done;
  scheduler.tick();
  assert.deepEqual(dates(calls), ['2021-01-01T00:00:00.000Z', '2021-01-02T00:00:00.000Z']);
});

test("a trigger's timeout, timeout_status and allow_blocks_to_fail reach its runs; Mage's defaults otherwise", (t) => {
  const set = recorder();
  new Scheduler({
    root: project(t, ['name: t', "schedule_interval: '@daily'", 'status: active', 'settings: {timeout: 90, timeout_status: cancelled, allow_blocks_to_fail: true}']),
    now: () => new Date('2021-01-05T10:00:00Z'),
    run: set.run,
  }).tick();
  assert.deepEqual([set.calls[0].timeoutSeconds, set.calls[0].timeoutStatus, set.calls[0].stopOnBlockFailure], [90, 'cancelled', false]);
  const unset = recorder();
  new Scheduler({ root: project(t, ['name: t', "schedule_interval: '@daily'", 'status: active']), now: () => new Date('2021-01-05T10:00:00Z'), run: unset.run }).tick();
  assert.deepEqual([unset.calls[0].timeoutSeconds, unset.calls[0].timeoutStatus, unset.calls[0].stopOnBlockFailure], [undefined, 'failed', true]);
});

test('envs: a trigger that lists environments runs only in them (ENV, else dev)', (t) => {
  const trigger = ['name: prod_only', "schedule_interval: '@daily'", 'status: active', 'envs: [prod, staging]'];
  const dev = recorder();
  new Scheduler({ root: project(t, trigger), now: () => new Date('2021-01-05T10:00:00Z'), run: dev.run, env: 'dev' }).tick();
  assert.equal(dev.calls.length, 0);
  const prod = recorder();
  new Scheduler({ root: project(t, trigger), now: () => new Date('2021-01-05T10:00:00Z'), run: prod.run, env: 'prod' }).tick();
  assert.equal(prod.calls.length, 1);
});

test('create_initial_pipeline_run also runs the start_time period once, before the current one', (t) => {
  const trigger = ['name: daily', "schedule_interval: '@daily'", 'status: active', "start_time: '2021-01-01 06:00:00'", 'settings: {create_initial_pipeline_run: true}'];
  const { calls, run } = recorder();
  const scheduler = new Scheduler({ root: project(t, trigger), now: () => new Date('2021-01-05T10:00:00Z'), run });
  scheduler.tick();
  scheduler.tick();
  assert.deepEqual(dates(calls), ['2021-01-01T06:00:00.000Z', '2021-01-05T00:00:00.000Z']);
  const plain = recorder();
  new Scheduler({ root: project(t, trigger.slice(0, 4)), now: () => new Date('2021-01-05T10:00:00Z'), run: plain.run }).tick();
  assert.deepEqual(dates(plain.calls), ['2021-01-05T00:00:00.000Z'], 'without the setting, only the current period (catch_up: latest)');
});

function realProject(t: import('node:test').TestContext, trigger: string[], blocks: Record<string, string>, links: string[]): string {
  return writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    ...Object.fromEntries(
      Object.entries(blocks).map(([uuid, code]) => [`custom/${uuid}.ts`, `import { custom } from 'pipewright';\nexport default custom(async () => { ${code} });\n`]),
    ),
    'pipelines/p/metadata.yaml': lines('blocks:', ...links, 'uuid: p'),
    'pipelines/p/triggers.yaml': lines('triggers:', ...trigger.map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`))),
  });
}

test('a scheduled run past its settings.timeout is stopped and gets timeout_status', (t) => {
  const blocks = { wait: 'await new Promise((r) => setTimeout(r, 30_000));' };
  const links = ['- {uuid: wait, type: custom, language: typescript}'];
  for (const [setting, expected] of [
    ['', 'failed'],
    [', timeout_status: cancelled', 'cancelled'],
  ] as const) {
    const root = realProject(t, ['name: daily', "schedule_interval: '@daily'", 'status: active', `settings: {timeout: 1${setting}}`], blocks, links);
    const result = pipewright(['scheduler', '--once'], { cwd: root });
    assert.match(result.stdout, new RegExp(`${expected}, timed out after 1 s \\(settings\\.timeout\\)`), result.stdout + result.stderr);
    const [run] = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
    assert.equal(run.status, expected);
    assert.equal(run.blocks[0].status, 'cancelled');
  }
});

test('by default a failed block stops a scheduled run from starting others; allow_blocks_to_fail lets them run', (t) => {
  const blocks = { bad: "throw new Error('broken');", slow: 'await new Promise((r) => setTimeout(r, 1500));', after_slow: '' };
  const links = [
    '- {uuid: bad, type: custom, language: typescript}',
    '- {uuid: slow, type: custom, language: typescript, downstream_blocks: [after_slow]}',
    '- {uuid: after_slow, type: custom, language: typescript, upstream_blocks: [slow]}',
  ];
  const statuses = (allow: boolean) => {
    const root = realProject(t, ['name: daily', "schedule_interval: '@daily'", 'status: active', `settings: {allow_blocks_to_fail: ${allow}}`], blocks, links);
    pipewright(['scheduler', '--once'], { cwd: root });
    const [run] = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
    return {
      run: run.status,
      blocks: Object.fromEntries(
        run.blocks.map((b: { block: string; status: string; error?: { message: string } }) => [b.block, b.status === 'cancelled' ? `cancelled: ${b.error?.message}` : b.status]),
      ),
    };
  };
  assert.deepEqual(statuses(false), {
    run: 'failed',
    blocks: { bad: 'failed', slow: 'completed', after_slow: 'cancelled: Not run: block bad failed, and the trigger does not let blocks fail (settings.allow_blocks_to_fail)' },
  });
  assert.deepEqual(statuses(true), { run: 'failed', blocks: { bad: 'failed', slow: 'completed', after_slow: 'completed' } });
});

test('@always_on keeps one run going: a new one as soon as the last has ended, never two', async (t) => {
  const root = project(t, ['name: forever', "schedule_interval: '@always_on'", 'status: active']);
  const { calls, run, finishAll } = recorder();
  let now = new Date('2021-01-05T10:00:00.400Z');
  const scheduler = new Scheduler({ root, now: () => now, run });
  const [first] = scheduler.tick();
  now = new Date('2021-01-05T10:00:07Z');
  scheduler.tick();
  assert.deepEqual(dates(calls), ['2021-01-05T10:00:00.000Z'], 'none while one goes');
  const second = new Scheduler({ root, now: () => new Date('2021-01-05T10:00:00.900Z'), run });
  second.tick();
  assert.equal(calls.length, 1, 'another scheduler in the same second finds it claimed');
  finishAll();
  await first.done;
  now = new Date('2021-01-05T10:00:09Z');
  scheduler.tick();
  assert.deepEqual(dates(calls), ['2021-01-05T10:00:00.000Z', '2021-01-05T10:00:09.000Z']);
});

test('@always_on for real: the scheduler does not start a second run while the history shows one going', async (t) => {
  const root = realProject(t, ['name: forever', "schedule_interval: '@always_on'", 'status: active'], { hold: 'await new Promise((r) => setTimeout(r, 3000));' }, [
    '- {uuid: hold, type: custom, language: typescript}',
  ]);
  const first = pipewrightAsync(['scheduler', '--once'], { cwd: root });
  const runs = () => JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout || '[]') as { status: string }[];
  for (let i = 0; i < 200 && !runs().some((r) => r.status === 'running'); i++) await new Promise((r) => setTimeout(r, 50));
  const second = pipewright(['scheduler', '--once'], { cwd: root });
  assert.match(second.stdout, /nothing is due/);
  assert.equal((await first).code, 0);
  assert.deepEqual(
    runs().map((r) => r.status),
    ['completed'],
  );
});

test("landing_time_enabled: times at start_time's hour, and a run starts early by mean + stdev/2 of its past durations", async (t) => {
  const { appendHistory } = await import('../../../runtime/history/run-history.ts');
  const { landingLeadMs, nextRunTimes } = await import('../../../runtime/project/schedule-times.ts');
  const trigger = ['name: land', "schedule_interval: '@daily'", 'status: active', "start_time: '2021-01-01 06:00:00'", 'settings: {landing_time_enabled: true}'];
  const root = project(t, trigger);
  assert.deepEqual(
    nextRunTimes({ scheduleInterval: '@weekly', startTime: '2021-01-06 07:30:00', settings: { landing_time_enabled: true } }, new Date('2021-01-07T00:00:00Z'), 1).map((d) =>
      d.toISOString(),
    ),
    ['2021-01-13T07:30:00.000Z'],
    "a weekly landing time keeps start_time's weekday (a Wednesday) and time",
  );
  assert.equal(landingLeadMs([]), 0);
  assert.equal(landingLeadMs([20 * 60_000, 40 * 60_000]), 35 * 60_000);
  // No history yet: the run starts at its landing time.
  const fresh = recorder();
  new Scheduler({ root, now: () => new Date('2021-01-05T05:59:00Z'), run: fresh.run }).tick();
  assert.deepEqual(dates(fresh.calls), ['2021-01-04T06:00:00.000Z']);
  // Two past runs of 20 and 40 minutes: it starts 35 minutes before 06:00.
  const past = project(t, trigger);
  for (const [i, minutes] of [
    [3, 20],
    [4, 40],
  ]) {
    const runId = `2021010${i}T050000-00000${i}`;
    appendHistory(past, {
      kind: 'run-started',
      time: `2021-01-0${i}T05:00:00.000Z`,
      runId,
      pipeline: 'p',
      executionDate: `2021-01-0${i}T06:00:00.000Z`,
      blocks: [],
      variables: {},
      pid: process.pid,
      host: 'test',
      trigger: 'land',
    });
    appendHistory(past, { kind: 'run-finished', time: `2021-01-0${i}T05:${minutes}:00.000Z`, runId, status: 'completed', durationMs: minutes * 60_000 });
  }
  const early = recorder();
  let now = new Date('2021-01-05T05:20:00Z');
  const scheduler = new Scheduler({ root: past, now: () => now, run: early.run });
  scheduler.tick();
  assert.equal(early.calls.length, 0, 'at 05:20 it is not yet time (05:25)');
  now = new Date('2021-01-05T05:26:00Z');
  scheduler.tick();
  assert.deepEqual(dates(early.calls), ['2021-01-05T06:00:00.000Z']);
  assert.equal(early.calls[0].interval!.end.toISOString(), '2021-01-06T06:00:00.000Z');
});
