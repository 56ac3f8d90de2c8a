import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphMessage, statusMessage } from '../../extension/dag-model.ts';
import { blockDescription, blockRows } from '../../extension/tree-model.ts';
import { buildGraph } from '../../runtime/graph/graph.ts';
import { readHistory } from '../../runtime/history/run-history.ts';
import { loadProject } from '../../runtime/project/load-project.ts';
import { isHostToWebview, isWebviewToHost } from '../../runtime/protocol.ts';
import { pipewright } from '../helpers/cli.ts';
import { lines, writeTree } from '../helpers/project-tree.ts';

// The models behind the Pipelines view and the DAG webview, from a real project and a real run's
// history: a dynamic loader, a transformer run once per item (one run skipped by its condition).

const FAN = lines(
  'blocks:',
  '- uuid: ids',
  '  type: data_loader',
  '  language: typescript',
  '  configuration: { dynamic: true }',
  '  downstream_blocks: [per_id]',
  '- uuid: per_id',
  '  type: transformer',
  '  language: typescript',
  '  configuration: { reduce_output: true }',
  '  upstream_blocks: [ids]',
  'conditionals:',
  '- uuid: not_two',
  '  type: conditional',
  '  language: typescript',
  '  upstream_blocks: [per_id]',
  'name: fan',
  'uuid: fan',
);

function ranProject(t: import('node:test').TestContext) {
  const root = writeTree(t, {
    'io_config.yaml': lines('version: 0.1.1', 'default:', '  PIPEWRIGHT_EMBEDDED: true'),
    'pipelines/fan/metadata.yaml': FAN,
    'data_loaders/ids.ts': "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [1, 2, 3]);\n",
    'transformers/per_id.ts': "import { transformer } from 'pipewright';\nexport default transformer(async (id) => [{ id: Number(id) }]);\n",
    'conditionals/not_two.ts': "import { condition } from 'pipewright';\nexport default condition(async (id) => Number(id) !== 2);\n",
  });
  const ran = pipewright(['run', 'fan'], { cwd: root });
  assert.equal(ran.code, 0, ran.stdout + ran.stderr);
  const project = loadProject(root);
  const pipeline = project.pipelines.get('fan')!;
  const latest = readHistory(root).at(-1)!;
  return { pipeline, graph: buildGraph(pipeline), latest };
}

test('the DAG model: blocks with their shape in the fan-out, attached conditionals, statuses and one timeline bar per block', (t) => {
  const { pipeline, graph, latest } = ranProject(t);
  const drawn = graphMessage(pipeline, graph);
  assert.ok(isHostToWebview(drawn));
  assert.deepEqual(drawn.order, ['ids', 'per_id']);
  assert.deepEqual(
    drawn.blocks.map((b) => [b.uuid, b.upstream, b.dynamic ?? false, b.perItemOf ?? null, b.reduces ?? false, b.attachedTo ?? null]),
    [
      ['ids', [], true, null, false, null],
      ['per_id', ['ids'], false, 'ids', true, null],
      ['not_two', [], false, null, false, ['per_id']],
    ],
  );

  const status = statusMessage(latest, undefined, 'per_id');
  assert.ok(isHostToWebview(status));
  assert.equal(status.focus, 'per_id');
  assert.deepEqual(Object.entries(status.statuses).sort(), [
    ['ids', 'completed'],
    ['per_id', 'completed'],
    ['per_id:0', 'completed'],
    ['per_id:1', 'condition_failed'],
    ['per_id:2', 'completed'],
  ]);
  // Runs per item are listed in item order, even when they started (and were recorded) out of it.
  const outOfOrder = { ...latest, blocks: new Map([...latest.blocks].sort(([a], [b]) => (a === 'per_id:1' ? 1 : b === 'per_id:1' ? -1 : 0))) };
  assert.deepEqual(
    [...outOfOrder.blocks.keys()].filter((k) => k.startsWith('per_id:')),
    ['per_id:0', 'per_id:2', 'per_id:1'],
  );
  assert.deepEqual(
    Object.keys(statusMessage(outOfOrder, undefined).statuses).filter((k) => k.startsWith('per_id:')),
    ['per_id:0', 'per_id:1', 'per_id:2'],
  );
  // One bar per block: the runs per item are in the graph, not the timeline.
  assert.deepEqual(status.timeline.map((bar) => bar.block).sort(), ['ids', 'per_id']);
  const [ids, perId] = ['ids', 'per_id'].map((uuid) => status.timeline.find((bar) => bar.block === uuid)!);
  assert.ok(ids.startMs >= 0 && perId.startMs >= ids.startMs, 'bars start where their blocks started in the run');
  assert.equal(perId.rows, 2, 'the gathered output of the two runs that went through');

  // A live run's statuses go over the latest run's while it goes; a finished other run does not.
  const live = { runId: 'another', statuses: new Map([['ids', 'running']]) };
  assert.equal(statusMessage(latest, live).statuses.ids, 'running');
  assert.equal(statusMessage(latest, { ...live, finished: 'completed' }).statuses.ids, 'completed');
  assert.deepEqual(statusMessage(undefined, undefined), { kind: 'status', statuses: {}, timeline: [] });
});

test('the tree model: blocks in run order, the runs per item under their block, its conditional, and what each row says', (t) => {
  const { pipeline, graph, latest } = ranProject(t);
  const rows = blockRows(pipeline, graph, latest, undefined);
  assert.deepEqual(
    rows.map((r) => r.block.uuid),
    ['ids', 'per_id'],
  );
  const [ids, perId] = rows;
  assert.match(blockDescription(ids), /^data_loader · typescript · dynamic · completed · \d+\.\d s$/);
  assert.equal(perId.perItem, true);
  assert.deepEqual(
    perId.attached.map((b) => b.uuid),
    ['not_two'],
  );
  assert.deepEqual(
    perId.runs.map((r) => `${r.block} ${r.status}`),
    ['per_id:0 completed', 'per_id:1 condition_failed', 'per_id:2 completed'],
  );
  assert.match(blockDescription(perId), /^transformer · typescript · per item ×3 · completed · \d+\.\d s$/);
  // While a run goes, the row says running and no time.
  const running = blockRows(pipeline, graph, latest, { statuses: new Map([['per_id', 'running']]) })[1];
  assert.equal(blockDescription(running), 'transformer · typescript · per item ×3 · running');
});

test('the webview protocol: the host takes only the messages a DAG can send', () => {
  for (const good of [
    { kind: 'ready' },
    { kind: 'runBlock', uuid: 'load' },
    { kind: 'preview', uuid: 'per_id:1' },
    { kind: 'openBlock', uuid: 'x' },
    { kind: 'runFrom', uuid: 'x' },
  ]) {
    assert.ok(isWebviewToHost(good), JSON.stringify(good));
  }
  for (const bad of [null, 'runBlock', 42, {}, { kind: 'runBlock' }, { kind: 'runBlock', uuid: 7 }, { kind: 'exec', uuid: 'rm -rf' }, { uuid: 'x' }]) {
    assert.equal(isWebviewToHost(bad), false, JSON.stringify(bad));
  }
  assert.equal(isHostToWebview({ kind: 'graph', pipeline: 'p', blocks: 'no', order: [] }), false);
  assert.equal(isHostToWebview({ kind: 'status', statuses: {} }), false);
  assert.equal(isHostToWebview({ kind: 'other' }), false);
});
