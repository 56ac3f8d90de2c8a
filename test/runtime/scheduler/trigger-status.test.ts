import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pipewright } from '../../helpers/cli.ts';
import { writeTree } from '../../helpers/project-tree.ts';

// Turning a trigger on and off from the CLI (the extension's tree does it through this): only the
// status changes in triggers.yaml; comments, key order and the rest of the file stay as written.

const TRIGGERS = [
  '# The daily load, written by Mage',
  'triggers:',
  '- name: daily',
  "  schedule_interval: '@daily'   # midnight UTC",
  '  schedule_type: time',
  '  settings: {skip_if_previous_running: true}',
  '  start_time: 2021-01-01 00:00:00',
  '  status: inactive',
  '  variables: {bucket: taxi}',
  '- name: hourly',
  "  schedule_interval: '@hourly'",
  '  schedule_type: time',
  '  status: active',
  '',
].join('\n');

test('triggers --activate and --deactivate change only the status line, and say so', (t) => {
  const root = writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'pipelines/p/metadata.yaml': 'blocks: []\nuuid: p\n',
    'pipelines/p/triggers.yaml': TRIGGERS,
  });
  const file = join(root, 'pipelines/p/triggers.yaml');
  const on = pipewright(['triggers', 'p', '--activate', 'daily'], { cwd: root });
  assert.equal(on.code, 0, on.stderr);
  assert.equal(on.stdout.trim(), 'p / daily is now active');
  assert.equal(readFileSync(file, 'utf8'), TRIGGERS.replace('  status: inactive', '  status: active'));
  const listed = JSON.parse(pipewright(['triggers', 'p', '--json'], { cwd: root }).stdout) as { name: string; status: string; next: string[] }[];
  assert.deepEqual(
    listed.map((tr) => `${tr.name}:${tr.status}`),
    ['daily:active', 'hourly:active'],
  );
  assert.equal(listed[0].next.length, 3, 'an active trigger shows its next run times');
  assert.equal(pipewright(['triggers', 'p', '--activate', 'daily'], { cwd: root }).stdout.trim(), 'p / daily was already active');
  assert.equal(pipewright(['triggers', 'p', '--deactivate', 'hourly'], { cwd: root }).code, 0);
  assert.equal(readFileSync(file, 'utf8'), TRIGGERS.replace('  status: inactive', '  status: active').replace(/(name: hourly[\s\S]*)status: active/, '$1status: inactive'));
});

test('a trigger without a status (Mage reads it as inactive) gets one line; one written as a flow map is re-printed', (t) => {
  const root = writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'pipelines/p/metadata.yaml': 'blocks: []\nuuid: p\n',
    'pipelines/p/triggers.yaml': "triggers:\n- name: daily   # the main one\n  schedule_interval: '@daily'\n- {name: flow, schedule_interval: '@hourly'}\n",
  });
  const file = join(root, 'pipelines/p/triggers.yaml');
  assert.equal(pipewright(['triggers', 'p', '--activate', 'daily'], { cwd: root }).code, 0);
  assert.equal(
    readFileSync(file, 'utf8'),
    "triggers:\n- name: daily   # the main one\n  status: active\n  schedule_interval: '@daily'\n- {name: flow, schedule_interval: '@hourly'}\n",
  );
  assert.equal(pipewright(['triggers', 'p', '--activate', 'flow'], { cwd: root }).code, 0);
  const listed = JSON.parse(pipewright(['triggers', 'p', '--json'], { cwd: root }).stdout) as { name: string; status: string }[];
  assert.deepEqual(
    listed.map((tr) => `${tr.name}:${tr.status}`),
    ['daily:active', 'flow:active'],
  );
  assert.equal(pipewright(['validate', '--quiet'], { cwd: root }).code, 0, 'the file still validates');
});

test('a trigger or pipeline that does not exist is an error naming what there is; the file is untouched', (t) => {
  const root = writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'pipelines/p/metadata.yaml': 'blocks: []\nuuid: p\n',
    'pipelines/p/triggers.yaml': TRIGGERS,
  });
  const missing = pipewright(['triggers', 'p', '--activate', 'weekly'], { cwd: root });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Cannot find trigger "weekly" in pipelines\/p\/triggers\.yaml \(triggers: daily, hourly\)/);
  assert.equal(readFileSync(join(root, 'pipelines/p/triggers.yaml'), 'utf8'), TRIGGERS);
  assert.equal(pipewright(['triggers', '--activate', 'daily'], { cwd: root }).code, 2, 'a pipeline is needed');
  assert.match(pipewright(['triggers', 'q', '--activate', 'daily'], { cwd: root }).stderr, /Cannot find pipeline "q"/);
});
