import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, pipewright } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';

function runs(root: string) {
  return JSON.parse(pipewright(['runs', '--json', '--limit', '0'], { cwd: root }).stdout) as {
    id: string;
    status: string;
    started_at: string;
    duration_ms: number | null;
    blocks: { status: string; rows: number | null }[];
  }[];
}

function start(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

test('a run killed with SIGKILL shows as interrupted the next time the history is read', async (t) => {
  const root = pipelineProject(t, { spin: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { while (true) {} });\n" } });
  const events = join(root, 'events.jsonl');
  // MALLOC_ARENA_MAX set: the launcher runs the runtime in its own process, so SIGKILL hits it.
  // (Killing only the launcher cancels the run cleanly: see stopping.test.ts.)
  const { child, exited } = start(root, ['run', 'p', '--events', events], { MALLOC_ARENA_MAX: '2' });
  await until(() => existsSync(events) && readFileSync(events, 'utf8').includes('"block-started"'), 'the block to start');
  assert.equal(runs(root)[0].status, 'running', 'a live run reads as running');
  const killedAt = Date.now();
  child.kill('SIGKILL');
  await exited;
  // Read well after the kill: the run ran until it was last seen, not until it was read.
  await new Promise((r) => setTimeout(r, 4000));
  const [run] = runs(root);
  const ranFor = killedAt - Date.parse(run.started_at);
  assert.ok(run.duration_ms! <= ranFor + 500 && run.duration_ms! >= ranFor - 2500, `ran ${ranFor} ms, recorded ${run.duration_ms} ms`);
  assert.equal(run.status, 'interrupted');
  assert.equal(run.blocks[0].status, 'failed');
  assert.equal(runs(root)[0].status, 'interrupted', 'and stays so');
});

test('two runs of one pipeline at the same time both complete, and the history stays whole', async (t) => {
  const root = pipelineProject(t, {
    load: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => Array.from({ length: 5000 }, (_, i) => ({ i })));\n" },
    sum: { upstream: ['load'], code: "import { transformer } from 'pipewright';\nexport default transformer(async (rows) => rows.sql('SELECT sum(i) AS total FROM data'));\n" },
  });
  const first = start(root, ['run', 'p']);
  const second = start(root, ['run', 'p']);
  assert.deepEqual(await Promise.all([first.exited, second.exited]), [0, 0]);
  const history = readFileSync(join(root, '.pipewright/history/runs.jsonl'), 'utf8').trim().split('\n');
  assert.equal(history.length, 2 * (1 + 2 + 2 + 1), 'run-started, 2 × block-started, 2 × block-finished, run-finished per run');
  for (const line of history) JSON.parse(line);
  const all = runs(root);
  assert.equal(all.length, 2);
  assert.notEqual(all[0].id, all[1].id);
  assert.deepEqual(
    all.map((r) => [r.status, r.blocks.map((b) => b.rows)]),
    [
      ['completed', [5000, 1]],
      ['completed', [5000, 1]],
    ],
  );
});

test('a block returning 5 million rows as an async iterable is streamed with bounded memory', (t) => {
  const root = pipelineProject(t, {
    big: {
      code: [
        "import { dataLoader } from 'pipewright';",
        'export default dataLoader(async function* () {',
        '  for (let start = 0; start < 5_000_000; start += 50_000) {',
        '    yield Array.from({ length: 50_000 }, (_, i) => ({ id: start + i, fare: (start + i) % 97 / 4, zone: `z${(start + i) % 265}` }));',
        '  }',
        '});',
      ].join('\n'),
    },
  });
  const events = join(root, 'events.jsonl');
  const run = pipewright(['run', 'p', '--events', events], { cwd: root });
  assert.equal(run.code, 0, run.stdout);
  const finished = readFileSync(events, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .find((e) => e.kind === 'block-finished');
  assert.equal(finished.output.rows, 5_000_000);
  // 5M row objects held at once would take well over 1 GB; streaming stays far below.
  assert.ok(finished.peakMemoryBytes < 700 * 1024 * 1024, `peak ${Math.round(finished.peakMemoryBytes / 1048576)} MB`);
});
