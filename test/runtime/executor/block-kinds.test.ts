import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pipewright } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';

// Dynamic, conditional, callback and sensor blocks, run through `pipewright run` as a user runs them
// and checked through the run history (`pipewright runs --json`) and the events file.

interface BlockRun {
  block: string;
  status: string;
  rows: number | null;
  error: { message: string } | null;
  children?: string[];
  parent?: string;
  callbacks?: { callback: string; on: string; status: string; error?: { message: string } }[];
}

function latestRun(root: string) {
  const { stdout } = pipewright(['runs', '--json', '--limit', '1'], { cwd: root });
  const [run] = JSON.parse(stdout) as { status: string; blocks: BlockRun[] }[];
  return { status: run.status, blocks: new Map(run.blocks.map((b) => [b.block, b])) };
}

function events(file: string) {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const MONTHS = `import { dataLoader } from 'pipewright';
// Mage's shape: [items, metadata], each metadata entry naming its child.
export default dataLoader(async () => {
  const months = Array.from({ length: 12 }, (_, i) => \`2021-\${String(i + 1).padStart(2, '0')}\`);
  return [months.map((month) => ({ month })), months.map((month) => ({ block_uuid: month.replace('-', '_') }))];
});
`;

test('a dynamic loader fans out over 12 months, the children run concurrently within the limit, reduce gathers them, and the export sees all', (t) => {
  const root = pipelineProject(t, {
    months: { code: MONTHS, yaml: ['configuration: { dynamic: true }'] },
    load_month: {
      upstream: ['months'],
      yaml: ['configuration: { reduce_output: true }'],
      code: `import { transformer } from 'pipewright';
export default transformer(async (item, ctx) => {
  await new Promise((r) => setTimeout(r, 300));
  const { month } = item as unknown as { month: string };
  return Array.from({ length: Number(month.slice(5)) }, (_, i) => ({ month, trip: i, run: ctx.vars.dynamic_block_uuid, index: ctx.vars.dynamic_block_index }));
});
`,
    },
    report: {
      type: 'data_exporter',
      upstream: ['load_month'],
      code: `import { dataExporter } from 'pipewright';
export default dataExporter(async (months, ctx) => {
  const list = months as unknown as { count(): Promise<number> }[];
  const counts = await Promise.all(list.map((m) => m.count()));
  ctx.log.info(\`months \${list.length} rows \${counts.reduce((a, b) => a + b, 0)}\`);
  return { months: list.length, counts };
});
`,
    },
    total: { language: 'sql', upstream: ['load_month'], code: 'SELECT count(*) AS trips, count(DISTINCT month) AS months FROM {{ df_1 }}\n' },
  });
  const eventsFile = join(root, 'events.jsonl');
  const run = pipewright(['run', 'p', '--concurrency', '3', '--events', eventsFile], { cwd: root });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const { status, blocks } = latestRun(root);
  assert.equal(status, 'completed');
  const children = blocks.get('load_month')!.children!;
  assert.deepEqual(
    children,
    Array.from({ length: 12 }, (_, i) => `load_month:2021_${String(i + 1).padStart(2, '0')}`),
  );
  for (const [i, child] of children.entries()) {
    assert.equal(blocks.get(child)!.status, 'completed');
    assert.equal(blocks.get(child)!.parent, 'load_month');
    assert.equal(blocks.get(child)!.rows, i + 1);
  }
  assert.equal(blocks.get('load_month')!.status, 'completed');
  assert.match(pipewright(['runs'], { cwd: root }).stdout, /completed .* 4\/4 blocks \(12 runs per item\)$/m);
  // 1 + 2 + ... + 12 trips, in one table for SQL and as a list of 12 datasets for TypeScript.
  assert.deepEqual(JSON.parse(pipewright(['preview', 'p', 'total', '--json'], { cwd: root }).stdout).preview[0], { trips: 78, months: 12 });
  assert.match(run.stdout, /months 12 rows 78/);
  assert.deepEqual(JSON.parse(pipewright(['preview', 'p', 'report', '--json'], { cwd: root }).stdout).value, { months: 12, counts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] });
  // Never more than 3 blocks at once, and the children did overlap.
  let now = 0;
  let most = 0;
  for (const event of events(eventsFile)) {
    if (event.kind === 'block-started') most = Math.max(most, ++now);
    if (event.kind === 'block-finished' && !(event.children as string[] | undefined)) now--;
  }
  assert.ok(most <= 3 && most >= 2, `at most ${most} blocks ran at once`);
  // Each run knows which item it is (Mage's dynamic_block_index) and its own name.
  assert.deepEqual(JSON.parse(pipewright(['preview', 'p', 'load_month:2021_02', '--json'], { cwd: root }).stdout).preview[0], {
    month: '2021-02',
    trip: 0,
    run: 'load_month:2021_02',
    index: 1,
  });
});

test('a child that fails fails only its own runs downstream; a plain list fans out by index', (t) => {
  const root = pipelineProject(t, {
    ids: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [1, 2, 3, 4]);\n", yaml: ['configuration: { dynamic: true }'] },
    fetch: {
      upstream: ['ids'],
      code: "import { transformer } from 'pipewright';\nexport default transformer(async (id) => { if (Number(id) === 3) throw new Error('item three is broken'); return { id: Number(id) * 10 }; });\n",
    },
    clean: {
      upstream: ['fetch'],
      yaml: ['configuration: { reduce_output: true }'],
      code: "import { transformer } from 'pipewright';\nexport default transformer(async (row) => row);\n",
    },
    after: { upstream: ['clean'], code: "import { transformer } from 'pipewright';\nexport default transformer(async (rows) => rows);\n" },
    // A SQL block reads its item as a table (a plain value is one row of a column named json).
    doubled: { language: 'sql', upstream: ['ids'], yaml: ['configuration: { reduce_output: true }'], code: 'SELECT json * 2 AS doubled FROM {{ df_1 }}\n' },
  });
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1);
  const { status, blocks } = latestRun(root);
  assert.equal(status, 'failed');
  assert.deepEqual(blocks.get('fetch')!.children, ['fetch:0', 'fetch:1', 'fetch:2', 'fetch:3']);
  assert.deepEqual(
    ['fetch:0', 'fetch:1', 'fetch:2', 'fetch:3'].map((b) => blocks.get(b)!.status),
    ['completed', 'completed', 'failed', 'completed'],
  );
  assert.match(blocks.get('fetch:2')!.error!.message, /item three is broken/);
  assert.deepEqual(
    ['clean:0', 'clean:1', 'clean:2', 'clean:3'].map((b) => blocks.get(b)!.status),
    ['completed', 'completed', 'upstream_failed', 'completed'],
  );
  assert.equal(blocks.get('clean')!.status, 'failed');
  assert.match(blocks.get('clean')!.error!.message, /1 of 4 runs failed: clean:2/);
  assert.equal(blocks.get('after')!.status, 'upstream_failed');
  assert.equal(blocks.get('doubled')!.status, 'completed');
  const doubled = JSON.parse(pipewright(['preview', 'p', 'doubled', '--json'], { cwd: root }).stdout) as { preview: { doubled: number }[] };
  assert.deepEqual(doubled.preview.map((r) => Number(r.doubled)).sort(), [2, 4, 6, 8]);
});

test('a conditional that is false skips exactly its branch, recorded as condition_failed; a run with skipped blocks completes', (t) => {
  const pass = "import { transformer } from 'pipewright';\nexport default transformer(async (rows) => rows);\n";
  const root = pipelineProject(t, {
    load: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ n: 1 }, { n: 2 }]);\n" },
    big_branch: { upstream: ['load'], code: pass },
    big_after: { upstream: ['big_branch'], code: pass },
    small_branch: { upstream: ['load'], code: pass },
    small_after: { upstream: ['small_branch'], code: pass },
    if_big: {
      type: 'conditional',
      upstream: ['big_branch'],
      code: "import { condition } from 'pipewright';\nexport default condition(async (rows, ctx) => { ctx.log.info(`checking for ${ctx.vars.parent_block_uuid}`); return (await rows.count()) > 5; });\n",
    },
    if_small: {
      type: 'conditional',
      upstream: ['small_branch'],
      code: "import { condition } from 'pipewright';\nexport default condition(async (rows) => (await rows.count()) <= 5);\n",
    },
  });
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const { status, blocks } = latestRun(root);
  assert.equal(status, 'completed');
  assert.deepEqual(
    ['load', 'big_branch', 'big_after', 'small_branch', 'small_after'].map((b) => [b, blocks.get(b)!.status]),
    [
      ['load', 'completed'],
      ['big_branch', 'condition_failed'],
      ['big_after', 'condition_failed'],
      ['small_branch', 'completed'],
      ['small_after', 'completed'],
    ],
  );
  assert.match(blocks.get('big_branch')!.error!.message, /condition "if_big" is false/);
  const log = pipewright(['logs', latestRunId(root), '--block', 'big_branch'], { cwd: root }).stdout;
  assert.match(log, /\[condition if_big\] checking for big_branch/);
});

function latestRunId(root: string): string {
  return (JSON.parse(pipewright(['runs', '--json', '--limit', '1'], { cwd: root }).stdout) as { id: string }[])[0].id;
}

test('a condition that returns something other than a boolean fails the block it guards, and says so', (t) => {
  const root = pipelineProject(t, {
    load: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ n: 1 }]);\n" },
    guard: { type: 'conditional', upstream: ['load'], code: "import { condition } from 'pipewright';\nexport default condition(async () => 'yes' as unknown as boolean);\n" },
  });
  assert.equal(pipewright(['run', 'p'], { cwd: root }).code, 1);
  const load = latestRun(root).blocks.get('load')!;
  assert.equal(load.status, 'failed');
  assert.match(load.error!.message, /Condition "guard" failed: Condition "guard" must return true or false, got "yes"/);
});

test("a callback sees its parent's output on success and its error on failure, and a failing callback never changes the parent's result", (t) => {
  const notes = 'notes.txt';
  const root = pipelineProject(t, {
    good: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ n: 1 }, { n: 2 }, { n: 3 }]);\n" },
    bad: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { throw new Error('the source is down'); });\n" },
    notify: {
      type: 'callback',
      upstream: ['good', 'bad'],
      code: `import { appendFileSync } from 'node:fs';
import { callback } from 'pipewright';
export default callback({
  onSuccess: async (output, ctx) => appendFileSync('${notes}', \`success \${ctx.vars.parent_block_uuid} \${await output.count()}\\n\`),
  onFailure: async (error, ctx) => appendFileSync('${notes}', \`failure \${ctx.vars.parent_block_uuid} \${error.message}\\n\`),
});
`,
    },
    broken: {
      type: 'callback',
      upstream: ['good'],
      code: "import { callback } from 'pipewright';\nexport default callback({ onSuccess: async () => { throw new Error('the webhook is down'); } });\n",
    },
  });
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1);
  const written = readFileSync(join(root, notes), 'utf8').trim().split('\n').sort();
  assert.deepEqual(written, ['failure bad the source is down', 'success good 3']);
  const { blocks } = latestRun(root);
  assert.equal(blocks.get('good')!.status, 'completed');
  assert.deepEqual(
    blocks.get('good')!.callbacks!.map((c) => [c.callback, c.on, c.status]),
    [
      ['notify', 'success', 'completed'],
      ['broken', 'success', 'failed'],
    ],
  );
  assert.match(blocks.get('good')!.callbacks![1].error!.message, /the webhook is down/);
  assert.deepEqual(
    blocks.get('bad')!.callbacks!.map((c) => [c.callback, c.on, c.status]),
    [['notify', 'failure', 'completed']],
  );
  assert.match(run.stdout + run.stderr, /Callback "broken" \(success\) failed: .*the webhook is down/);
});

test('a sensor that becomes true after 3 checks lets the run go on; one that never does fails at its timeout', (t) => {
  const root = pipelineProject(t, {
    wait: {
      type: 'sensor',
      yaml: ['configuration: { poke_interval: 0.1 }'],
      code: "import { sensor } from 'pipewright';\nlet checks = 0;\nexport default sensor(async (ctx) => { checks++; ctx.log.info(`check ${checks}`); return checks >= 3; });\n",
    },
    after: { upstream: ['wait'], code: "import { transformer } from 'pipewright';\nexport default transformer(async () => [{ ok: true }]);\n" },
    never: {
      type: 'sensor',
      yaml: ['configuration: { poke_interval: 0.2 }', 'timeout: 1'],
      code: "import { sensor } from 'pipewright';\nexport default sensor(async () => false);\n",
    },
    blocked: { upstream: ['never'], code: "import { transformer } from 'pipewright';\nexport default transformer(async () => [{ ok: true }]);\n" },
  });
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1);
  const { blocks } = latestRun(root);
  assert.equal(blocks.get('wait')!.status, 'completed');
  assert.equal(blocks.get('after')!.status, 'completed');
  const log = pipewright(['logs', latestRunId(root), '--block', 'wait'], { cwd: root }).stdout;
  assert.equal(log.match(/Sensor not ready/g)?.length, 2);
  assert.match(log, /check 3/);
  assert.equal(blocks.get('never')!.status, 'failed');
  assert.match(blocks.get('never')!.error!.message, /Sensor "never" was not ready within its timeout \(1 s, checking every 0.2 s\)/);
  assert.equal(blocks.get('blocked')!.status, 'upstream_failed');
});

test('ready-made sensors: an object appears in the bucket, a query returns rows, another pipeline ran for the same execution_date', (t) => {
  const root = pipelineProject(
    t,
    {
      writer: {
        code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async (ctx) => { await new Promise((r) => setTimeout(r, 800)); await (await ctx.io.gcs()).writeParquet([{ a: 1 }], { bucket: 'lake', object: `taxi/${ctx.vars.ds}.parquet` }); });\n",
      },
      object_ready: {
        type: 'sensor',
        yaml: ['configuration: { poke_interval: 0.2 }', 'timeout: 30'],
        code: "import { sensor, sensors } from 'pipewright';\nexport default sensor(sensors.gcsObjectExists({ bucket: 'lake', object: (ctx) => `taxi/${ctx.vars.ds}.parquet` }));\n",
      },
      rows_ready: {
        type: 'sensor',
        yaml: ['configuration: { poke_interval: 0.2 }', 'timeout: 30'],
        code: "import { sensor, sensors } from 'pipewright';\nexport default sensor(sensors.queryReturnsRows({ provider: 'bigquery', sql: 'SELECT 1 AS ready' }));\n",
      },
      upstream_done: {
        type: 'sensor',
        yaml: ['configuration: { poke_interval: 0.2 }', 'timeout: 2'],
        code: "import { sensor, sensors } from 'pipewright';\nexport default sensor(sensors.pipelineRunSucceeded({ pipeline: 'other' }));\n",
      },
    },
    {
      files: {
        'pipelines/other/metadata.yaml': 'blocks:\n- uuid: one\n  type: data_loader\n  language: typescript\nname: other\nuuid: other\n',
        'data_loaders/one.ts': "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ x: 1 }]);\n",
      },
    },
  );
  assert.equal(pipewright(['run', 'other', '--execution-date', '2021-01-15'], { cwd: root }).code, 0);
  const run = pipewright(['run', 'p', '--execution-date', '2021-01-15'], { cwd: root });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const log = pipewright(['logs', latestRunId(root), '--block', 'object_ready'], { cwd: root }).stdout;
  assert.match(log, /gs:\/\/lake\/taxi\/2021-01-15.parquet does not exist yet/);
  assert.match(log, /gs:\/\/lake\/taxi\/2021-01-15.parquet exists/);
  // No run of "other" for the 16th: that sensor times out.
  assert.equal(pipewright(['run', 'p', '--execution-date', '2021-01-16'], { cwd: root }).code, 1);
  const { blocks } = latestRun(root);
  assert.equal(blocks.get('upstream_done')!.status, 'failed');
  assert.equal(blocks.get('object_ready')!.status, 'completed');
  assert.match(pipewright(['logs', latestRunId(root), '--block', 'upstream_done'], { cwd: root }).stdout, /other for 2021-01-16T00:00:00.000Z: no run yet/);
});
