import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRetention, pruneProject, pruneRunFolders } from '../../../runtime/history/retention.ts';
import { loadProject } from '../../../runtime/project/load-project.ts';
import { appendHistory, readHistory } from '../../../runtime/history/run-history.ts';
import type { RunEvent } from '../../../runtime/protocol.ts';
import { writeTree } from '../../helpers/project-tree.ts';

const DAY = 86_400_000;

function run(root: string, id: string, options: { daysAgo: number; status: 'completed' | 'failed'; block: string }) {
  const time = new Date(Date.UTC(2026, 0, 100) - options.daysAgo * DAY).toISOString();
  const file = join(root, '.pipewright/runs', id, options.block, 'output/part-0.parquet');
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, 'x');
  const events: RunEvent[] = [
    { kind: 'run-started', time, runId: id, pipeline: 'p', executionDate: time, blocks: [options.block], variables: {}, pid: 1, host: 'elsewhere' },
    {
      kind: 'block-finished',
      time,
      runId: id,
      block: options.block,
      status: options.status,
      attempt: 1,
      durationMs: 1,
      ...(options.status === 'completed' ? { output: { kind: 'table' as const, files: [file], rows: 1, columns: [], bytes: 1 } } : {}),
    },
    { kind: 'run-finished', time, runId: id, status: options.status, durationMs: 1 },
  ];
  for (const event of events) appendHistory(root, event);
}

test('retention periods read as Mage writes them', () => {
  assert.equal(parseRetention('90d'), 90 * DAY);
  assert.equal(parseRetention('2w'), 14 * DAY);
  assert.equal(parseRetention(' 12h '), DAY / 2);
  assert.equal(parseRetention('soon'), undefined);
  assert.equal(parseRetention(90), undefined);
});

test("old run folders go, except the ones holding a block's newest output; the history keeps every run", (t) => {
  const root = writeTree(t, {});
  run(root, 'old-superseded', { daysAgo: 60, status: 'completed', block: 'a' });
  run(root, 'old-latest-b', { daysAgo: 50, status: 'completed', block: 'b' });
  run(root, 'old-failed', { daysAgo: 40, status: 'failed', block: 'a' });
  run(root, 'recent', { daysAgo: 1, status: 'completed', block: 'a' });
  const removed = pruneRunFolders(root, readHistory(root), { retentionMs: 30 * DAY, now: Date.UTC(2026, 0, 100) });
  assert.deepEqual(removed.sort(), ['old-failed', 'old-superseded']);
  assert.equal(existsSync(join(root, '.pipewright/runs/old-latest-b')), true);
  assert.equal(existsSync(join(root, '.pipewright/runs/recent')), true);
  assert.equal(readHistory(root).length, 4);
});

test("pruneProject applies the project's retention to run folders and to old --events files", (t) => {
  const root = writeTree(t, {
    'metadata.yaml': 'variables_retention_period: 10d\n',
    'io_config.yaml': 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n',
    '.pipewright/events/old.jsonl': '{}\n',
    '.pipewright/events/new.jsonl': '{}\n',
  });
  run(root, 'twenty-days', { daysAgo: 20, status: 'failed', block: 'a' });
  run(root, 'five-days', { daysAgo: 5, status: 'failed', block: 'a' });
  const now = Date.UTC(2026, 0, 100);
  utimesSync(join(root, '.pipewright/events/old.jsonl'), new Date(now - 20 * DAY), new Date(now - 20 * DAY));
  utimesSync(join(root, '.pipewright/events/new.jsonl'), new Date(now - 5 * DAY), new Date(now - 5 * DAY));
  pruneProject(loadProject(root), now);
  assert.equal(existsSync(join(root, '.pipewright/runs/twenty-days')), false);
  assert.equal(existsSync(join(root, '.pipewright/runs/five-days')), true);
  assert.deepEqual(readdirSync(join(root, '.pipewright/events')), ['new.jsonl']);
});
