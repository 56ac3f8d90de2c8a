import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, pipewright } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';

// Every block can be stopped, whatever it is doing: a DuckDB query that would run for days, by its
// timeout, Ctrl-C, SIGTERM, or the launcher dying; and signals a process group gets twice count once.

/** A DuckDB query that would run far longer than any test. */
const ENDLESS_SQL = 'SELECT count(*) FROM range(1000000000000000)\n';

function latestRun(root: string) {
  const { stdout } = pipewright(['runs', '--json', '--limit', '1'], { cwd: root });
  return (JSON.parse(stdout) as { status: string; blocks: { block: string; status: string; error: { message: string } | null }[] }[])[0];
}

/** Starts `pipewright run p` and resolves once its first block has started. */
async function startRun(root: string, options: { detached?: boolean } = {}): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const events = join(root, 'events.jsonl');
  const child = spawn(process.execPath, [BIN, 'run', 'p', '--events', events], { cwd: root, stdio: 'ignore', detached: options.detached });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 400 && !(existsSync(events) && readFileSync(events, 'utf8').includes('"block-started"')); i++) await new Promise((r) => setTimeout(r, 50));
  // The block is inside its query (or its sleep) by now.
  await new Promise((r) => setTimeout(r, 700));
  return { child, exited };
}

/** Waits for a promise, failing the test after `seconds` instead of hanging. */
async function within<T>(seconds: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took more than ${seconds} s`)), seconds * 1000)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

test("a DuckDB query that runs on is stopped by the block's timeout", (t) => {
  const root = pipelineProject(t, { q: { language: 'sql', code: ENDLESS_SQL, yaml: ['timeout: 2'] } });
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const latest = latestRun(root);
  assert.equal(latest.status, 'failed');
  assert.match(latest.blocks[0].error!.message, /Timed out after 2 s/);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} cancels a run whose block is inside a DuckDB query`, async (t) => {
    const root = pipelineProject(t, { q: { language: 'sql', code: ENDLESS_SQL } });
    const { child, exited } = await startRun(root);
    child.kill(signal);
    assert.equal(await within(20, exited, 'stopping the run'), 130);
    const latest = latestRun(root);
    assert.equal(latest.status, 'cancelled');
    assert.equal(latest.blocks[0].status, 'cancelled');
  });
}

test('killing the launcher outright cancels the run it started, and the history says so', async (t) => {
  const root = pipelineProject(t, { q: { language: 'sql', code: ENDLESS_SQL } });
  const { child } = await startRun(root);
  child.kill('SIGKILL');
  let latest = latestRun(root);
  for (let i = 0; i < 200 && latest.status === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    latest = latestRun(root);
  }
  assert.equal(latest.status, 'cancelled');
});

test('a block timeout longer than setTimeout can hold (30 days) does not fail the block at once', (t) => {
  const root = pipelineProject(t, {
    quick: {
      code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { await new Promise((r) => setTimeout(r, 300)); return [{ ok: 1 }]; });\n",
      yaml: ['timeout: 2592000'],
    },
  });
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 0, run.stdout);
  assert.equal(latestRun(root).status, 'completed');
});

test('one SIGINT sent to the process group cancels the run cleanly, not as a second "exit at once"', async (t) => {
  const root = pipelineProject(t, {
    wait: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { await new Promise((r) => setTimeout(r, 60_000)); return []; });\n" },
  });
  // Its own process group, as a terminal or a supervisor (timeout, systemd, CI) would signal it.
  const { child, exited } = await startRun(root, { detached: true });
  process.kill(-child.pid!, 'SIGINT');
  assert.equal(await within(20, exited, 'stopping the run'), 130);
  const latest = latestRun(root);
  assert.equal(latest.status, 'cancelled', 'the run finished its bookkeeping instead of exiting at once');
  assert.equal(latest.blocks[0].status, 'cancelled');
});

test('one SIGINT to the process group of a backfill cancels the running interval, starts no other, and exits 130', async (t) => {
  const root = pipelineProject(t, {
    wait: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { await new Promise((r) => setTimeout(r, 60_000)); return []; });\n" },
  });
  const events = join(root, 'events.jsonl');
  const child = spawn(process.execPath, [BIN, 'backfill', 'p', '--start', '2021-01-01', '--end', '2021-01-03', '--interval', 'day', '--events', events], {
    cwd: root,
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 400 && !(existsSync(events) && readFileSync(events, 'utf8').includes('"block-started"')); i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
  process.kill(-child.pid!, 'SIGINT');
  assert.equal(await within(30, exited, 'stopping the backfill'), 130);
  const { stdout } = pipewright(['runs', '--json', '--limit', '0'], { cwd: root });
  const statuses = (JSON.parse(stdout) as { status: string }[]).map((r) => r.status);
  assert.deepEqual(statuses, ['cancelled'], 'one interval ran and was cancelled; the others never started');
});

test('a block that takes too much memory fails cleanly: its JavaScript heap, and Buffers past the process limit', (t) => {
  const root = pipelineProject(t, {
    objects: {
      code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { const rows = []; for (let i = 0; i < 50_000_000; i++) rows.push({ i, text: `row ${i}` }); return rows; });\n",
    },
    buffers: {
      code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { const held = []; for (let i = 0; i < 60; i++) { held.push(Buffer.alloc(50 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 50)); } return [{ held: held.length }]; });\n",
    },
  });
  const run = pipewright(['run', 'p', '--concurrency', '1'], { cwd: root, env: { PIPEWRIGHT_BLOCK_HEAP_MB: '96', PIPEWRIGHT_MAX_MEMORY_MB: '900' } });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const latest = latestRun(root);
  const error = (block: string) => latest.blocks.find((b) => b.block === block)!.error?.message ?? '';
  assert.match(error('objects'), /The block used more than 96 MB of JavaScript memory and was stopped/);
  assert.match(error('buffers'), /The run's process held \d+ MB, more than its limit of 900 MB, and the block was stopped/);
});
