import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fanOut } from '../../../runtime/graph/dynamic.ts';
import { buildGraph } from '../../../runtime/graph/graph.ts';
import { loadProject } from '../../../runtime/project/load-project.ts';
import { resolveProfile, envLookup } from '../../../runtime/project/profile-resolve.ts';
import { validateProject } from '../../../runtime/validate/validate-project.ts';

// test/fixtures/mage-written is written the way Mage writes projects: keys sorted, nulls for color,
// executor_config and timeout, run status in the file, Python and SQL blocks, callbacks and
// conditionals lists, a block shared by two pipelines, file_path overrides and a stale file_source,
// and a fan-out: a sensor, a dynamic loader, a child that reduces, a callback.

const root = join(import.meta.dirname, '../../fixtures/mage-written');
const project = loadProject(root);
const rel = (file: string | undefined) => (file ? relative(root, file) : undefined);

test('a Mage-written project loads every pipeline with every block', () => {
  assert.deepEqual([...project.pipelines.keys()].sort(), ['etl_taxi', 'months_fan_out', 'taxi_report']);
  const etl = project.pipelines.get('etl_taxi')!;
  assert.deepEqual(
    etl.blocks.map((b) => [b.uuid, b.type, b.language, b.list]),
    [
      ['load_taxi', 'data_loader', 'python', 'blocks'],
      ['clean_taxi', 'transformer', 'python', 'blocks'],
      ['taxi_summary', 'transformer', 'sql', 'blocks'],
      ['export_taxi', 'data_exporter', 'python', 'blocks'],
      ['notify_failure', 'callback', 'python', 'callbacks'],
      ['only_weekdays', 'conditional', 'python', 'conditionals'],
    ],
  );
  assert.deepEqual(etl.variables, { taxi_month: '2021-01' });
});

test('block files are found as Mage finds them, file_path winning over a stale file_source', () => {
  const etl = project.pipelines.get('etl_taxi')!;
  const files = Object.fromEntries(etl.blocks.map((b) => [b.uuid, [rel(b.file), b.fileExists]]));
  assert.deepEqual(files, {
    load_taxi: ['data_loaders/load_taxi.py', true],
    clean_taxi: ['transformers/clean_taxi_v2.py', true],
    taxi_summary: ['transformers/taxi_summary.sql', true],
    export_taxi: ['data_exporters/export_taxi.py', true],
    notify_failure: ['callbacks/notify_failure.py', true],
    only_weekdays: ['conditionals/only_weekdays.py', true],
  });
});

test('an absolute container path in file_path maps to the project root', () => {
  const report = project.pipelines.get('taxi_report')!.blocks.find((b) => b.uuid === 'report')!;
  assert.equal(rel(report.file), 'custom/shared/report.py');
  assert.equal(report.fileExists, true);
});

test('a block file shared by two pipelines knows both', () => {
  const uses = project.blockUses.get(join(root, 'data_loaders/load_taxi.py'));
  assert.deepEqual(uses, [
    { pipeline: 'etl_taxi', block: 'load_taxi' },
    { pipeline: 'taxi_report', block: 'load_taxi' },
  ]);
});

test('the graph keeps upstream order and leaves callbacks and conditionals out of the DAG', () => {
  const graph = buildGraph(project.pipelines.get('etl_taxi')!);
  assert.deepEqual(graph.order, ['load_taxi', 'clean_taxi', 'taxi_summary', 'export_taxi']);
  assert.deepEqual(graph.upstream.get('clean_taxi'), ['load_taxi']);
  assert.deepEqual(graph.downstream.get('clean_taxi'), ['taxi_summary', 'export_taxi']);
  assert.equal(graph.cycle, undefined);
});

test('a fan-out Mage wrote (sensor, dynamic loader, child that reduces, callback) loads and graphs as Pipewright runs it', () => {
  const pipeline = project.pipelines.get('months_fan_out')!;
  assert.deepEqual(
    pipeline.blocks.map((b) => [b.uuid, b.type, b.list, rel(b.file), b.fileExists]),
    [
      ['wait_for_upstream', 'sensor', 'blocks', 'sensors/wait_for_upstream.py', true],
      ['list_months', 'data_loader', 'blocks', 'data_loaders/list_months.py', true],
      ['load_month', 'transformer', 'blocks', 'transformers/load_month.py', true],
      ['combine_months', 'data_exporter', 'blocks', 'data_exporters/combine_months.py', true],
      ['alert_on_failure', 'callback', 'callbacks', 'callbacks/alert_on_failure.py', true],
    ],
  );
  const graph = buildGraph(pipeline);
  assert.deepEqual(graph.order, ['wait_for_upstream', 'list_months', 'load_month', 'combine_months']);
  // Only load_month runs per item: it reduces, so combine_months runs once, on the list.
  assert.deepEqual([...fanOut(graph).fannedBy], [['load_month', 'list_months']]);
  assert.deepEqual(fanOut(graph).problems, []);
});

test('triggers load with Mage defaults and unquoted timestamps', () => {
  const triggers = project.pipelines.get('etl_taxi')!.triggers;
  assert.deepEqual(
    triggers.map((t) => [t.name, t.scheduleInterval, t.status, t.startTime]),
    [
      ['daily_etl', '@daily', 'active', '2024-01-26 04:00:00+00:00'],
      ['every_15_minutes', '*/15 * * * *', 'inactive', '2024-05-17 08:22:00'],
    ],
  );
  assert.deepEqual(triggers[0].variables, { taxi_month: '2021-02' });
});

test('validate reports only warnings: the unknown upstream Mage would drop silently, and the literal password of its template', () => {
  const problems = validateProject(project, { env: {} });
  assert.deepEqual(
    problems.map((p) => [p.severity, p.code, rel(p.range.file), p.range.start.line]),
    [
      ['warning', 'literal-secret', 'io_config.yaml', 8],
      ['warning', 'unknown-upstream', 'pipelines/etl_taxi/metadata.yaml', 38],
    ],
  );
  assert.match(problems[1].message, /"removed_block"/);
});

test('the dev profile resolves from the project .env', () => {
  const resolved = resolveProfile(project.ioConfig!, 'dev', envLookup({}, project.dotenv));
  assert.deepEqual(resolved.problems, []);
  assert.equal(resolved.value!.POSTGRES_HOST, 'pgdatabase');
  assert.equal(resolved.value!.POSTGRES_PORT, '5432');
});
