import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGraph } from '../../../runtime/graph/graph.ts';
import type { Block, Pipeline } from '../../../runtime/project/model.ts';

function pipeline(spec: Record<string, { up?: string[]; down?: string[] }>): Pipeline {
  const blocks: Block[] = Object.entries(spec).map(([uuid, s], index) => ({
    uuid,
    name: uuid,
    type: 'transformer',
    language: 'typescript',
    upstream: s.up ?? [],
    downstream: s.down ?? [],
    configuration: {},
    list: 'blocks',
    path: ['blocks', index],
    fileExists: true,
    raw: {},
  }));
  return { uuid: 'p', name: 'p', type: 'python', variables: {}, tags: [], dir: '/p', metadata: undefined as never, blocks, triggers: [], raw: {} };
}

function check(spec: Record<string, { up?: string[]; down?: string[] }>, expected: { order: string[]; cycle?: string[]; unknown?: string[] }) {
  const graph = buildGraph(pipeline(spec));
  assert.deepEqual(graph.order, expected.order);
  assert.deepEqual(graph.cycle, expected.cycle);
  assert.deepEqual(
    graph.unknown.map((u) => `${u.block}.${u.side}:${u.uuid}`),
    expected.unknown ?? [],
  );
}

test('graph orders a chain', () => check({ c: { up: ['b'] }, b: { up: ['a'] }, a: {} }, { order: ['a', 'b', 'c'] }));
test('graph keeps file order among blocks ready together', () => check({ x: {}, a: {}, m: { up: ['x', 'a'] }, b: { up: ['a'] } }, { order: ['x', 'a', 'm', 'b'] }));
test('graph reads links listed only in downstream_blocks', () => check({ b: {}, a: { down: ['b'] } }, { order: ['a', 'b'] }));
test('graph reports the whole cycle path, starting at the first block written', () =>
  check({ a: { up: ['c'] }, b: { up: ['a'] }, c: { up: ['b'] }, d: { up: ['c'] }, e: {} }, { order: ['e'], cycle: ['a', 'b', 'c', 'a'] }));
test('graph reports a block that is its own upstream', () => check({ a: { up: ['a'] } }, { order: [], cycle: ['a', 'a'] }));
test('graph reports unknown references on both sides and keeps the rest', () =>
  check({ a: { down: ['zz'] }, b: { up: ['a', 'nope'] } }, { order: ['a', 'b'], unknown: ['b.upstream:nope', 'a.downstream:zz'] }));
test('graph marks which side lists each link', () => {
  const graph = buildGraph(pipeline({ a: { down: ['b', 'c'] }, b: { up: ['a'] }, c: {}, d: { up: ['b'] } }));
  assert.deepEqual(graph.edges.map((e) => `${e.from}>${e.to}:${e.listedIn}`).sort(), ['a>b:both', 'a>c:downstream', 'b>d:upstream']);
});
test('graph orders 10,000 blocks in a chain without recursion limits', () => {
  const spec: Record<string, { up?: string[] }> = {};
  for (let i = 0; i < 10000; i++) spec[`b${i}`] = i ? { up: [`b${i - 1}`] } : {};
  assert.equal(buildGraph(pipeline(spec)).order.length, 10000);
});
