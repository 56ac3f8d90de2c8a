import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { lspSession } from '../helpers/lsp-client.ts';
import { lines } from '../helpers/project-tree.ts';

// The language server in a pipeline's triggers.yaml: completion of keys and values from the schema,
// and a hover that says what a schedule means, with its next run times.

const TRIGGERS = lines(
  'triggers:',
  '- name: weekdays',
  "  schedule_interval: '0 6 * * 1-5'",
  '  schedule_type: time',
  '  status: active',
  '  settings:',
  '    skip_if_previous_running: true',
  '- name: nightly',
  "  schedule_interval: '@daily'",
  '  status: inactive',
  '  timezone: Europe/Amsterdam',
);

async function session(t: import('node:test').TestContext, text = TRIGGERS) {
  const { client, root } = await lspSession(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'custom/noop.ts': '',
    'pipelines/p/metadata.yaml': lines('blocks:', '- {uuid: noop, type: custom, language: typescript}', 'name: p'),
    'pipelines/p/triggers.yaml': TRIGGERS,
  });
  const file = join(root, 'pipelines/p/triggers.yaml');
  client.open(file, text);
  return { client, file };
}

type Items = { label: string; detail?: string; insertText?: string }[];
type HoverResult = { contents: { value: string } } | null;

test('completion in triggers.yaml: schedules with their meaning, statuses, trigger and settings keys', async (t) => {
  const typing = TRIGGERS.replace("  schedule_interval: '@daily'\n", '  schedule_interval: \n')
    .replace('  status: inactive\n', '  status: \n  \n')
    .replace('    skip_if_previous_running: true\n', '    skip_if_previous_running: true\n    \n');
  const { client, file } = await session(t, typing);
  const schedules = await client.at<Items>('textDocument/completion', file, 9, 21);
  const daily = schedules.find((i) => i.label === '@daily')!;
  assert.deepEqual([daily.detail, daily.insertText], ['Every day at 00:00', "'@daily'"]);
  assert.equal(schedules.find((i) => i.label === '0 6 * * *')!.detail, 'At 06:00');
  assert.deepEqual(
    (await client.at<Items>('textDocument/completion', file, 10, 10)).map((i) => i.label),
    ['active', 'inactive'],
  );
  const triggerKeys = (await client.at<Items>('textDocument/completion', file, 11, 2)).map((i) => i.label);
  for (const key of ['start_time', 'variables', 'envs', 'catch_up', 'timezone']) assert.ok(triggerKeys.includes(key), key);
  const settingKeys = (await client.at<Items>('textDocument/completion', file, 7, 4)).map((i) => i.label);
  for (const key of ['timeout', 'timeout_status', 'pipeline_run_limit', 'landing_time_enabled']) assert.ok(settingKeys.includes(key), key);
  assert.ok(!settingKeys.includes('start_time'), 'settings keys only, under settings');
});

test('hover on a schedule says what it means, in which zone, and when it runs next', async (t) => {
  const { client, file } = await session(t);
  const cron = await client.at<HoverResult>('textDocument/hover', file, 2, 24);
  assert.match(cron!.contents.value, /\*\*0 6 \* \* 1-5\*\* · At 06:00, Monday through Friday, UTC/);
  const next = /Next: (.*)$/m.exec(cron!.contents.value)![1].split(', ');
  assert.equal(next.length, 3);
  for (const time of next) {
    const date = new Date(time.replace(' UTC', 'Z').replace(' ', 'T'));
    assert.ok(date > new Date() && date.getUTCHours() === 6 && date.getUTCDay() >= 1 && date.getUTCDay() <= 5, time);
  }
  const preset = await client.at<HoverResult>('textDocument/hover', file, 8, 22);
  assert.match(preset!.contents.value, /\*\*@daily\*\* · Every day at 00:00, Europe\/Amsterdam/);
  assert.match(preset!.contents.value, /As cron: `0 0 \* \* \*`/);
  assert.match(preset!.contents.value, /inactive: it does not run until its status is active/);
  const key = await client.at<HoverResult>('textDocument/hover', file, 6, 8);
  assert.match(key!.contents.value, /\*\*skip_if_previous_running\*\*: Skip a run while the previous one is still going/);
});

test('hover on a broken schedule says what is wrong with it', async (t) => {
  const { client, file } = await session(t, TRIGGERS.replace("'0 6 * * 1-5'", "'0 6 * *'"));
  const hover = await client.at<HoverResult>('textDocument/hover', file, 2, 22);
  assert.match(hover!.contents.value, /Cron "0 6 \* \*" has 4 fields; it needs 5/);
});

test('a triggers.yaml of over 1 MB is checked on the checking thread, and hover and completion still answer in it', async (t) => {
  const many = Array.from({ length: 25_000 }, (_, i) => [`- name: t${i}`, "  schedule_interval: '@daily'", '  schedule_type: time', '  status: inactive'].join('\n'));
  const text = `triggers:\n${many.join('\n')}\n`;
  assert.ok(text.length > 1024 * 1024);
  const { client, file } = await session(t, text);
  const last = 4 * 25_000;
  const hover = await client.at<HoverResult>('textDocument/hover', file, last - 2, 24);
  assert.match(hover!.contents.value, /\*\*@daily\*\* · Every day at 00:00, UTC/);
  const items = await client.at<Items>('textDocument/completion', file, last, 12);
  assert.ok(
    items.some((i) => i.label === 'active'),
    items.map((i) => i.label).join(', '),
  );
  // A broken schedule far down the file still gets its diagnostic, from the whole-project check.
  const broken = text.replace(`- name: t24999\n  schedule_interval: '@daily'`, `- name: t24999\n  schedule_interval: '@dailyy'`);
  const diagnosed = client.diagnostics(file, (d) => d.diagnostics.some((x) => x.code === 'invalid-schedule' && x.range.start.line === last - 2), 60_000);
  client.change(file, 2, broken);
  await diagnosed;
});
