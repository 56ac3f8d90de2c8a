import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, pipewright } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';
import { writeTree } from '../../helpers/project-tree.ts';

// The runtime, driven through `pipewright run` as a user drives it, and checked through the run
// history (`pipewright runs --json`) and the events file.

function runs(root: string) {
  const { stdout } = pipewright(['runs', '--json', '--limit', '0'], { cwd: root });
  return JSON.parse(stdout) as {
    id: string;
    status: string;
    blocks: {
      block: string;
      status: string;
      attempts: number;
      rows: number | null;
      error: { message: string; file?: string; line?: number; col?: number } | null;
      upstream_from: Record<string, string> | null;
    }[];
  }[];
}

function events(file: string) {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const LOADER = "import { dataLoader } from 'pipewright';\nexport default dataLoader(async (ctx) => [{ id: 1, city: String(ctx.vars.city) }, { id: 2, city: 'Delft' }]);\n";

test('a pipeline runs end to end: TypeScript loader, SQL transformer with variables, exporter', (t) => {
  const root = pipelineProject(
    t,
    {
      load: { code: LOADER },
      shape: {
        language: 'sql',
        upstream: ['load'],
        code: "SELECT id * 10 AS id, city, '{{ ds }}' AS ds, '{{ variables(\"tag\") }}' AS tag FROM {{ df_1 }} ORDER BY id -- ends in a comment\n",
      },
      report: {
        type: 'data_exporter',
        upstream: ['shape'],
        code: "import { dataExporter } from 'pipewright';\nexport default dataExporter(async (shaped, ctx) => { ctx.log.info(`rows ${await shaped.count()}`); return shaped.sql('SELECT max(id) AS top FROM data -- the highest'); });\n",
      },
    },
    { variables: { city: 'Utrecht', tag: 'from-pipeline' } },
  );
  const run = pipewright(['run', 'p', '--var', 'tag=from-cli', '--execution-date', '2021-01-15'], { cwd: root });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /✔ load {2}completed .* 2 rows/);
  assert.match(run.stdout, /│ rows 2/);
  assert.match(run.stdout, /✔ completed in .*: 3 completed/);
  const preview = JSON.parse(pipewright(['preview', 'p', 'shape', '--json'], { cwd: root }).stdout);
  assert.equal(preview.rows, 2);
  assert.deepEqual(preview.preview[0], { id: 10, city: 'Utrecht', ds: '2021-01-15', tag: 'from-cli' });
  assert.deepEqual(
    preview.columns.map((c: { type: string }) => c.type),
    ['BIGINT', 'VARCHAR', 'VARCHAR', 'VARCHAR'],
  );
  const [latest] = runs(root);
  assert.equal(latest.status, 'completed');
  assert.deepEqual(
    latest.blocks.map((b) => [b.block, b.status, b.rows]),
    [
      ['load', 'completed', 2],
      ['shape', 'completed', 2],
      ['report', 'completed', 1],
    ],
  );
});

test('a block stuck in an endless loop is stopped by its timeout', (t) => {
  const root = pipelineProject(t, {
    spin: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { while (true) {} });\n", yaml: ['timeout: 1'] },
    after: { upstream: ['spin'], code: "import { transformer } from 'pipewright';\nexport default transformer(async (x) => x);\n" },
  });
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1);
  const [latest] = runs(root);
  assert.equal(latest.status, 'failed');
  assert.equal(latest.blocks[0].status, 'failed');
  assert.match(latest.blocks[0].error!.message, /Timed out after 1 s/);
  assert.equal(latest.blocks[1].status, 'upstream_failed');
});

test('Ctrl-C cancels a run whose block is in an endless loop, and the run says cancelled', async (t) => {
  const root = pipelineProject(t, { spin: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { while (true) {} });\n" } });
  const eventsFile = join(root, 'events.jsonl');
  const child = spawn(process.execPath, [BIN, 'run', 'p', '--events', eventsFile], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 200 && !(existsSync(eventsFile) && readFileSync(eventsFile, 'utf8').includes('"block-started"')); i++) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  const [latest] = runs(root);
  assert.equal(latest.status, 'cancelled');
  assert.equal(latest.blocks[0].status, 'cancelled');
  assert.equal(events(eventsFile).at(-1)!.kind, 'run-finished');
});

test('independent blocks run at the same time', (t) => {
  const wait = (name: string) =>
    `import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { await new Promise((r) => setTimeout(r, 1500)); return [{ name: '${name}' }]; });\n`;
  const root = pipelineProject(t, { left: { code: wait('left') }, right: { code: wait('right') } });
  const eventsFile = join(root, 'events.jsonl');
  assert.equal(pipewright(['run', 'p', '--concurrency', '2', '--events', eventsFile], { cwd: root }).code, 0);
  const kinds = events(eventsFile)
    .filter((e) => e.kind === 'block-started' || e.kind === 'block-finished')
    .map((e) => `${e.kind}:${e.block}`);
  assert.deepEqual(kinds.slice(0, 2).sort(), ['block-started:left', 'block-started:right'], kinds.join(' '));
});

test('a failing block is retried with exponential backoff until it succeeds', (t) => {
  const root = pipelineProject(t, {
    flaky: {
      code: [
        "import { dataLoader } from 'pipewright';",
        "import { existsSync, readFileSync, writeFileSync } from 'node:fs';",
        "const counter = process.cwd() + '/attempts.txt';",
        'export default dataLoader(async () => {',
        "  const n = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) + 1 : 1;",
        '  writeFileSync(counter, String(n));',
        '  if (n < 3) throw new Error(`flaky attempt ${n}`);',
        '  return [{ n }];',
        '});',
      ].join('\n'),
      yaml: ['retry_config: {retries: 3, delay: 0.2, exponential_backoff: true, max_delay: 10}'],
    },
  });
  const eventsFile = join(root, 'events.jsonl');
  const run = pipewright(['run', 'p', '--events', eventsFile], { cwd: root });
  assert.equal(run.code, 0, run.stdout);
  const retries = events(eventsFile).filter((e) => e.kind === 'block-retry');
  assert.deepEqual(
    retries.map((e) => e.delaySeconds),
    [0.2, 0.4],
  );
  assert.match(String((retries[0].error as { message: string }).message), /flaky attempt 1/);
  assert.equal(runs(root)[0].blocks[0].attempts, 3);
});

test('a failing test fails the block, and says which test and where', (t) => {
  const root = pipelineProject(t, {
    load: {
      code: [
        "import { dataLoader, test } from 'pipewright';",
        'export default dataLoader(async () => [{ id: 1 }]);',
        'export const hasRows = test(async (output) => {',
        '  if ((await output.count()) < 5) throw new Error(`expected 5 rows, got ${await output.count()}`);',
        '});',
      ].join('\n'),
    },
  });
  assert.equal(pipewright(['run', 'p'], { cwd: root }).code, 1);
  const { error } = runs(root)[0].blocks[0];
  assert.match(error!.message, /Test "hasRows" failed \(0\/1 passed\): expected 5 rows, got 1/);
  assert.equal(error!.file, join(root, 'data_loaders/load.ts'));
  assert.equal(error!.line, 4);
});

test('an error thrown by a block points at its line in the .ts file', (t) => {
  const root = pipelineProject(t, {
    load: {
      code: "import { dataLoader } from 'pipewright';\n\nexport default dataLoader(async () => {\n  const rows: number[] = [];\n  throw new Error('no trips today');\n});\n",
    },
  });
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /\s data_loaders\/load\.ts:5:9: error: no trips today/);
});

test('a syntax error is reported with file, line and column, and not retried', (t) => {
  const root = pipelineProject(t, {
    load: {
      code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => {\n  return [{ id: 1 ]];\n});\n",
      yaml: ['retry_config: {retries: 2, delay: 0}'],
    },
  });
  assert.equal(pipewright(['run', 'p'], { cwd: root }).code, 1);
  const block = runs(root)[0].blocks[0];
  assert.equal(block.attempts, 1);
  assert.deepEqual([block.error!.line, block.error!.col], [3, 19]);
  assert.match(block.error!.message, /Cannot compile the block: Expected "}" but found "]"/);
});

test('a failure marks everything downstream upstream_failed, and independent blocks still run', (t) => {
  const root = pipelineProject(t, {
    bad: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { throw new Error('boom'); });\n" },
    child: { upstream: ['bad'], code: "import { transformer } from 'pipewright';\nexport default transformer(async (x) => x);\n" },
    grandchild: { upstream: ['child'], code: "import { transformer } from 'pipewright';\nexport default transformer(async (x) => x);\n" },
    other: { code: LOADER },
  });
  assert.equal(pipewright(['run', 'p', '--var', 'city=x'], { cwd: root }).code, 1);
  const statuses = Object.fromEntries(runs(root)[0].blocks.map((b) => [b.block, b.status]));
  assert.deepEqual(statuses, { bad: 'failed', other: 'completed', child: 'upstream_failed', grandchild: 'upstream_failed' });
});

test('one block runs on the outputs of the latest successful run, and says which run', (t) => {
  const root = pipelineProject(
    t,
    {
      load: { code: LOADER },
      double: { upstream: ['load'], code: "import { transformer } from 'pipewright';\nexport default transformer(async (rows) => rows.sql('SELECT id * 2 AS id FROM data'));\n" },
      last: {
        upstream: ['double'],
        code: "import { transformer } from 'pipewright';\nexport default transformer(async (rows) => rows.sql('SELECT sum(id) AS total FROM data'));\n",
      },
    },
    { variables: { city: 'Utrecht' } },
  );
  const none = pipewright(['run', 'p', '--block', 'double'], { cwd: root });
  assert.equal(none.code, 1);
  assert.match(none.stdout, /No output of upstream block "load" from an earlier run: run it first, or add --with-upstream/);
  assert.equal(pipewright(['run', 'p', '--block', 'double', '--with-upstream'], { cwd: root }).code, 0);
  const first = runs(root)[0];
  assert.deepEqual(
    first.blocks.map((b) => b.block),
    ['load', 'double'],
  );
  const single = pipewright(['run', 'p', '--block', 'double'], { cwd: root });
  assert.equal(single.code, 0);
  assert.match(single.stdout, new RegExp(`input load from run ${first.id}`));
  assert.deepEqual(runs(root)[0].blocks[0].upstream_from, { load: first.id });
  const from = pipewright(['run', 'p', '--from', 'double'], { cwd: root });
  assert.equal(from.code, 0);
  assert.deepEqual(
    runs(root)[0].blocks.map((b) => b.block),
    ['double', 'last'],
  );
  assert.deepEqual(JSON.parse(pipewright(['preview', 'p', 'last', '--json'], { cwd: root }).stdout).preview, [{ total: 6 }]);
});

test('a block in a language Pipewright does not run (R) fails with a message that says so, without starting anything for it', (t) => {
  const root = writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n',
    'data_loaders/load.r': 'load_data <- function() { data.frame(n = 1) }\n',
    'pipelines/p/metadata.yaml': 'blocks:\n- uuid: load\n  type: data_loader\n  language: r\n  upstream_blocks: []\n  downstream_blocks: []\nname: p\nuuid: p\n',
  });
  assert.equal(pipewright(['run', 'p'], { cwd: root }).code, 1);
  assert.match(runs(root)[0].blocks[0].error!.message, /^Pipewright runs TypeScript, SQL and Python blocks; "load" is r \(.*load\.r\)/);
});

test('on Linux, pipewright run starts the runtime with two malloc arenas, unless MALLOC_ARENA_MAX is set', { skip: process.platform !== 'linux' }, (t) => {
  const root = pipelineProject(t, {
    arenas: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async (ctx) => { ctx.log.info(`arenas=${process.env.MALLOC_ARENA_MAX}`); });\n" },
  });
  const env = { ...process.env };
  delete env.MALLOC_ARENA_MAX;
  const defaulted = spawnSync(process.execPath, [BIN, 'run', 'p'], { cwd: root, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8' });
  assert.equal(defaulted.status, 0, defaulted.stdout);
  assert.match(defaulted.stdout, /arenas=2\b/);
  const chosen = spawnSync(process.execPath, [BIN, 'run', 'p'], { cwd: root, env: { ...env, NO_COLOR: '1', MALLOC_ARENA_MAX: '4' }, encoding: 'utf8' });
  assert.match(chosen.stdout, /arenas=4\b/);
});
