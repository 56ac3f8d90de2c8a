import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, pipewright, pipewrightAsync } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';

// The embedded PostgreSQL's life: a server a killed run left behind is stopped by the next run that
// uses it, `pipewright db stop` stops it, and as root it runs from a folder only root may enter.

const USES_POSTGRES = {
  save: {
    type: 'data_exporter' as const,
    code: [
      "import { dataExporter } from 'pipewright';",
      'export default dataExporter(async (ctx) => {',
      "  ctx.log.info('wrote', await (await ctx.io.postgres()).export([{ n: 1 }], { table: 'numbers' }));",
      '  if (ctx.vars.hold) while (true) await new Promise((r) => setTimeout(r, 100));',
      '});',
    ].join('\n'),
  },
};

/** The pid of the postmaster running on a data folder, if one is alive. */
function postmaster(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Starts a run that holds the server, waits until it has written, and kills it outright. */
async function killedRun(root: string): Promise<void> {
  const events = join(root, 'events.jsonl');
  rmSync(events, { force: true });
  // MALLOC_ARENA_MAX set: the launcher runs the CLI in its own process, so SIGKILL hits the real one.
  const child = spawn(process.execPath, [BIN, 'run', 'p', '--var', 'hold=1', '--events', events], { cwd: root, stdio: 'ignore', env: { ...process.env, MALLOC_ARENA_MAX: '2' } });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 600 && !(existsSync(events) && readFileSync(events, 'utf8').includes('wrote')); i++) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGKILL');
  await exited;
}

test('a server a killed run left running is stopped by the next run that uses it, and db stop stops one at once', async (t) => {
  const root = pipelineProject(t, USES_POSTGRES);
  chmodSync(root, 0o755);
  const dataDir = join(root, '.pipewright/postgres/data');
  t.after(() => pipewright(['db', 'stop'], { cwd: root }));
  await killedRun(root);
  const left = postmaster(dataDir);
  assert.ok(
    left,
    `the killed run left its server running: ${readFileSync(join(root, 'events.jsonl'), 'utf8').slice(-500)} ${existsSync(dataDir) ? readdirSync(dataDir).join(',') : 'no data'}`,
  );
  const next = await pipewrightAsync(['run', 'p'], { cwd: root });
  assert.equal(next.code, 0, next.stdout);
  assert.equal(postmaster(dataDir), undefined, 'the next run stopped the server it found and used');

  await killedRun(root);
  assert.ok(postmaster(dataDir));
  const stop = pipewright(['db', 'stop'], { cwd: root });
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /Stopped the embedded PostgreSQL/);
  assert.equal(postmaster(dataDir), undefined);
  assert.match(pipewright(['db', 'stop'], { cwd: root }).stdout, /is not running/);
});

test('as root, the embedded PostgreSQL runs for a project in a folder only root may enter', { skip: process.getuid?.() !== 0 && 'needs root' }, async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'pipewright-root-only-'));
  const shared = mkdtempSync(join(tmpdir(), 'pipewright-shared-'));
  chmodSync(shared, 0o755);
  t.after(() => {
    rmSync(parent, { recursive: true, force: true });
    rmSync(shared, { recursive: true, force: true });
  });
  assert.equal(readdirSync(parent).length, 0);
  chmodSync(parent, 0o700);
  const root = pipelineProject(t, USES_POSTGRES);
  const inside = join(parent, 'project');
  mkdirSync(inside);
  for (const name of readdirSync(root)) spawnSyncCopy(join(root, name), inside);
  const env = { PIPEWRIGHT_ROOT_POSTGRES_DIR: join(shared, 'postgres') };
  const run = await pipewrightAsync(['run', 'p'], { cwd: inside, env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /wrote 1/);
  const [id] = readdirSync(join(shared, 'postgres/data'));
  assert.ok(existsSync(join(shared, 'postgres/data', id, 'PG_VERSION')), 'the data lives where the postgres user can reach it');
  assert.equal(postmaster(join(shared, 'postgres/data', id)), undefined, 'and the server stopped with the run');
  assert.equal((await pipewrightAsync(['run', 'p'], { cwd: inside, env })).code, 0, 'a second run finds its data again');
});

function spawnSyncCopy(from: string, to: string): void {
  // cp -a keeps modes; the project is small.
  const result = spawnSync('cp', ['-a', from, to]);
  assert.equal(result.status, 0);
}
