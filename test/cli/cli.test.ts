import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VERBS } from '../../runtime/cli/main.ts';
import type { NewBlockJson } from '../../runtime/protocol.ts';
import { pipewright } from '../helpers/cli.ts';
import { lines, writeTree } from '../helpers/project-tree.ts';

const EXAMPLE = join(import.meta.dirname, '../../examples/zoomcamp');

test('every verb has --help with its usage and options', () => {
  for (const verb of VERBS) {
    const { code, stdout } = pipewright([verb.name, '--help']);
    assert.equal(code, 0, verb.name);
    assert.match(stdout, new RegExp(`^Usage: pipewright ${verb.name}`), verb.name);
    assert.match(stdout, /-h, --help/);
  }
  const main = pipewright(['--help']);
  assert.equal(main.code, 0);
  for (const verb of VERBS) assert.match(main.stdout, new RegExp(`\\n  ${verb.name} `));
});

test('an unknown command or flag is an error that says what to do', () => {
  const verb = pipewright(['vaildate']);
  assert.equal(verb.code, 2);
  assert.match(verb.stderr, /Unknown command "vaildate": run pipewright --help/);
  const flag = pipewright(['validate', '--strict-mode']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /--strict-mode/);
  assert.match(flag.stderr, /pipewright validate --help/);
});

test('validate passes the example project', () => {
  const { code, stdout } = pipewright(['validate', EXAMPLE]);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /3 pipelines, 0 errors, 0 warnings/);
});

test('validate prints file:line:col problems relative to the working folder and exits 1 on errors', (t) => {
  const root = writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'pipelines/p/metadata.yaml': lines('blocks:', '- uuid: load', '  type: data_loader', '  upstream_blocks: [nothing]', 'uuid: p'),
  });
  const { code, stdout } = pipewright(['validate'], { cwd: join(root, 'pipelines', 'p') });
  assert.equal(code, 1);
  const out = stdout.split('\n');
  // Found from a folder inside the project; paths are relative to where the command ran.
  assert.ok(
    out.includes('metadata.yaml:2:3: error: Cannot find the file of block "load": data_loaders/load.py does not exist; create it (pipewright new block) or fix the uuid'),
    stdout,
  );
  assert.ok(
    out.some((l) => l.startsWith('metadata.yaml:4:21: warning: Cannot find upstream block "nothing"')),
    stdout,
  );
  assert.match(stdout, /1 pipeline, 1 error, 1 warning/);
  assert.ok(!stdout.includes('\u001b['), 'no colour without a TTY');
});

test('validate --format json gives problems with ranges', (t) => {
  const root = writeTree(t, { 'io_config.yaml': lines('dev:', '  POSTGRES_USER: "{{ env_var(USER_X) }}"') });
  const { code, stdout } = pipewright(['validate', root, '--format', 'json']);
  assert.equal(code, 1);
  const report = JSON.parse(stdout);
  assert.equal(report.errors, 1);
  assert.equal(report.problems[0].code, 'unquoted-env-var');
  assert.deepEqual(report.problems[0].range.start, { line: 2, col: 30 });
});

test('validate refuses a folder that is no project', (t) => {
  const root = writeTree(t, { 'README.md': 'hello\n' });
  const { code, stdout } = pipewright(['validate', root]);
  assert.equal(code, 1);
  assert.match(stdout, /No Pipewright project at .*pipewright new project/);
});

test('graph prints the run order as text, JSON and dot', () => {
  const text = pipewright(['graph', 'api_to_gcs', '--project', EXAMPLE]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /1\. load_taxi_data .*\n\s+2\. transform_taxi_data .*← load_taxi_data/);
  const json = JSON.parse(pipewright(['graph', 'api_to_gcs', '--project', EXAMPLE, '--format', 'json']).stdout);
  assert.deepEqual(json.order, ['load_taxi_data', 'transform_taxi_data', 'export_taxi_to_gcs_parquet', 'export_taxi_to_gcs_partitioned']);
  assert.equal(json.blocks[1].file, 'transformers/transform_taxi_data.sql');
  const dot = pipewright(['graph', 'api_to_gcs', '--project', EXAMPLE, '--format', 'dot']).stdout;
  assert.match(dot, /^digraph "api_to_gcs" \{/);
  assert.match(dot, /"transform_taxi_data" -> "export_taxi_to_gcs_partitioned";/);
});

test('graph of an unknown pipeline lists the ones there are', () => {
  const { code, stderr } = pipewright(['graph', 'nope', '--project', EXAMPLE]);
  assert.equal(code, 2);
  assert.match(stderr, /Cannot find pipeline "nope".*api_to_gcs/);
});

test('graph shows a cycle and exits 1', (t) => {
  const root = writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'custom/a.ts': '',
    'custom/b.ts': '',
    'pipelines/p/metadata.yaml': lines(
      'blocks:',
      '- {uuid: a, type: custom, language: typescript, upstream_blocks: [b], downstream_blocks: [b]}',
      '- {uuid: b, type: custom, language: typescript, upstream_blocks: [a], downstream_blocks: [a]}',
    ),
  });
  const { code, stdout, stderr } = pipewright(['graph', 'p', '--project', root]);
  assert.equal(code, 1);
  assert.match(stdout, /cycle: a → b → a/);
  assert.match(stderr, /metadata\.yaml:2:10: error: Blocks form a cycle: a → b → a/);
});

test('new project, pipeline and blocks give a project that validates and graphs', (t) => {
  const parent = writeTree(t, {});
  assert.equal(pipewright(['new', 'project', 'taxi'], { cwd: parent }).code, 0);
  const root = join(parent, 'taxi');
  const run = (...args: string[]) => pipewright(args, { cwd: root });
  assert.equal(run('new', 'pipeline', 'Taxi ETL').code, 0);
  assert.equal(run('new', 'block', 'taxi_etl', 'Load trips', '--type', 'data_loader').code, 0);
  assert.equal(run('new', 'block', 'taxi_etl', 'clean', '--type', 'transformer', '--language', 'sql', '--upstream', 'load_trips').code, 0);
  const added = run('new', 'block', 'taxi_etl', 'to_pg', '--type', 'data_exporter', '--upstream', 'clean', '--json');
  assert.equal(added.code, 0);
  assert.deepEqual(JSON.parse(added.stdout), { block: 'to_pg', pipeline: 'taxi_etl', file: 'data_exporters/to_pg.ts', shared: false } satisfies NewBlockJson);
  const validate = run('validate');
  assert.equal(validate.code, 0, validate.stdout);
  assert.match(validate.stdout, /1 pipeline, 0 errors, 0 warnings/);
  const graph = JSON.parse(run('graph', 'taxi_etl', '--format', 'json').stdout);
  assert.deepEqual(graph.order, ['load_trips', 'clean', 'to_pg']);
  assert.deepEqual(
    graph.blocks.map((b: { file: string }) => b.file),
    ['data_loaders/load_trips.ts', 'transformers/clean.sql', 'data_exporters/to_pg.ts'],
  );
  assert.match(readFileSync(join(root, 'transformers/clean.sql'), 'utf8'), /\{\{ df_1 \}\}/);
  assert.match(readFileSync(join(root, 'data_exporters/to_pg.ts'), 'utf8'), /dataExporter\(async \(clean, ctx\)/);
  const metadata = readFileSync(join(root, 'pipelines/taxi_etl/metadata.yaml'), 'utf8');
  assert.match(metadata, /^blocks:\n- configuration: \{\}\n {2}downstream_blocks:\n {2}- clean\n/, 'list items flush with their key, as Mage writes them');
  assert.doesNotMatch(metadata, /status:/, 'no run state in sources');
});

test('new refuses to overwrite and names what is wrong', (t) => {
  const parent = writeTree(t, { 'taken/file.txt': 'mine\n' });
  const project = pipewright(['new', 'project', 'taken'], { cwd: parent });
  assert.equal(project.code, 1);
  assert.match(project.stderr, /already exists and is not empty/);
  assert.equal(readFileSync(join(parent, 'taken/file.txt'), 'utf8'), 'mine\n');
  assert.equal(pipewright(['new', 'project', 'p'], { cwd: parent }).code, 0);
  const root = join(parent, 'p');
  assert.equal(pipewright(['new', 'pipeline', 'etl'], { cwd: root }).code, 0);
  const before = readFileSync(join(root, 'pipelines/etl/metadata.yaml'), 'utf8');
  const upstream = pipewright(['new', 'block', 'etl', 'x', '--type', 'transformer', '--upstream', 'ghost'], { cwd: root });
  assert.equal(upstream.code, 1);
  assert.match(upstream.stderr, /Cannot find upstream block "ghost"/);
  assert.equal(readFileSync(join(root, 'pipelines/etl/metadata.yaml'), 'utf8'), before, 'metadata.yaml untouched after a refused change');
  const type = pipewright(['new', 'block', 'etl', 'x', '--type', 'loader'], { cwd: root });
  assert.equal(type.code, 2);
  assert.match(type.stderr, /Unknown block type "loader": --type data_loader\|transformer/);
  assert.equal(pipewright(['new', 'pipeline', 'etl'], { cwd: root }).code, 1);
});

test('sample taxi writes the requested rows to stdout', () => {
  const { code, stdout } = pipewright(['sample', 'taxi', '--rows', '25', '--out', '-']);
  assert.equal(code, 0);
  const rows = stdout.trimEnd().split('\n');
  assert.equal(rows.length, 26);
  assert.equal(rows[0].split(',').length, 18);
});

test('blocks from the templates type-check against the shipped block API without npm install', (t) => {
  const parent = writeTree(t, {});
  assert.equal(pipewright(['new', 'project', 'typed'], { cwd: parent }).code, 0);
  const root = join(parent, 'typed');
  const run = (...args: string[]) => assert.equal(pipewright(args, { cwd: root }).code, 0, args.join(' '));
  run('new', 'pipeline', 'etl');
  run('new', 'block', 'etl', 'load', '--type', 'data_loader');
  run('new', 'block', 'etl', 'clean', '--type', 'transformer', '--upstream', 'load');
  run('new', 'block', 'etl', 'save', '--type', 'data_exporter', '--upstream', 'clean');
  run('new', 'block', 'etl', 'wait', '--type', 'sensor');
  run('new', 'block', 'etl', 'misc', '--type', 'custom');
  run('new', 'block', 'etl', 'months', '--type', 'data_loader', '--dynamic');
  run('new', 'block', 'etl', 'per_month', '--type', 'transformer', '--upstream', 'months', '--reduce-output');
  run('new', 'block', 'etl', 'all_months', '--type', 'data_exporter', '--upstream', 'per_month');
  run('new', 'block', 'etl', 'when', '--type', 'conditional', '--upstream', 'clean');
  run('new', 'block', 'etl', 'notify', '--type', 'callback', '--upstream', 'save');
  assert.match(pipewright(['new', 'block', 'etl', 'lost', '--type', 'callback'], { cwd: root }).stderr, /A callback block is attached to blocks: name them with --upstream UUID/);
  const tsc = join(import.meta.dirname, '../../node_modules/typescript/bin/tsc');
  const clean = spawnSync(process.execPath, [tsc, '-p', root], { encoding: 'utf8' });
  assert.equal(clean.status, 0, clean.stdout);
  writeFileSync(
    join(root, 'transformers/wrong.ts'),
    "import { transformer } from 'pipewright';\nexport default transformer(async (rows, ctx) => { const n: string = await rows.count(); return n; });\n",
  );
  const wrong = spawnSync(process.execPath, [tsc, '-p', root], { encoding: 'utf8' });
  assert.equal(wrong.status, 2);
  assert.match(wrong.stdout, /transformers\/wrong\.ts\(2,57\): error TS2322: Type 'number' is not assignable to type 'string'/);
  rmSync(join(root, 'transformers/wrong.ts'));
  const validate = pipewright(['validate'], { cwd: root });
  assert.match(validate.stdout, /0 errors, 0 warnings/, validate.stdout + validate.stderr);
  run('run', 'etl');
  const [latest] = JSON.parse(pipewright(['runs', '--json', '--limit', '1'], { cwd: root }).stdout) as {
    status: string;
    blocks: { block: string; children?: string[]; callbacks?: unknown[] }[];
  }[];
  assert.equal(latest.status, 'completed');
  assert.equal(latest.blocks.find((b) => b.block === 'per_month')!.children!.length, 12);
  assert.equal(latest.blocks.find((b) => b.block === 'save')!.callbacks!.length, 1);
  const metadata = readFileSync(join(root, 'pipelines/etl/metadata.yaml'), 'utf8');
  assert.match(metadata, /^conditionals:\n- configuration: \{\}\n/m);
  assert.match(metadata, /^callbacks:\n/m);
});

test('triggers lists each trigger with its next run times', () => {
  const { code, stdout } = pipewright(['triggers', '--project', EXAMPLE, '--next', '2']);
  assert.equal(code, 0);
  assert.match(stdout, /^gcs_to_bigquery \/ daily_gcs_to_bigquery {2}time @daily {2}active {2}UTC$/m);
  assert.equal((stdout.match(/^ {2}next \d{4}-\d{2}-\d{2} 00:00 UTC$/gm) ?? []).length, 2);
  const json = JSON.parse(pipewright(['triggers', 'gcs_to_bigquery', '--project', EXAMPLE, '--json']).stdout);
  assert.equal(json[0].next.length, 3);
  assert.ok(json[0].next.every((t: string) => t.endsWith('T00:00:00.000Z')));
});

test('running a pipeline whose metadata.yaml does not load gives its problem at its line, not "cannot find"', (t) => {
  const root = writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n',
    'pipelines/broken/metadata.yaml': lines('blocks:', '- uuid: a', '  upstream_blocks: [x', 'name: broken'),
  });
  const run = pipewright(['run', 'broken'], { cwd: root });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^pipelines\/broken\/metadata\.yaml:4:1: error: Invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/m);
  assert.match(run.stderr, /Cannot read pipeline "broken": fix the problem above/);
  assert.doesNotMatch(run.stderr, /Cannot find pipeline/);
});

test('validate of an io_config.yaml with 100,000 stray keys answers with a bounded list, not a stack overflow', (t) => {
  const keys = Array.from({ length: 100_000 }, (_, i) => `extra_${i}: value ${i}`).join('\n');
  const root = writeTree(t, {
    'io_config.yaml': `version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n${keys}\n`,
    'pipelines/p/metadata.yaml': lines('blocks: []', 'name: p', 'uuid: p'),
  });
  const run = pipewright(['validate'], { cwd: root });
  assert.equal(run.code, 1, run.stderr);
  const printed = run.stdout.trim().split('\n');
  assert.ok(printed.length <= 205, `${printed.length} lines`);
  assert.match(run.stdout, /^io_config\.yaml:1:1: warning: Only the first 2000 of 100002 top-level keys were checked/m);
  assert.match(run.stdout, /: error: \d{5,} more problems in this file are not shown: fix the ones above first$/m);
});
