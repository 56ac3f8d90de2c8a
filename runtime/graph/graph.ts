import type { Block, Pipeline } from '../project/model.js';

/** A link between two blocks, and which side of metadata.yaml lists it. */
export interface Edge {
  from: string;
  to: string;
  /** Listed in the downstream block's upstream_blocks, in the upstream block's downstream_blocks, or both. */
  listedIn: 'upstream' | 'downstream' | 'both';
}

/** A pipeline's blocks as a graph: run order, links, and the first cycle found. */
export interface PipelineGraph {
  blocks: Map<string, Block>;
  /** Upstream uuids per block in upstream_blocks order, then any link listed only on the other side. */
  upstream: Map<string, string[]>;
  downstream: Map<string, string[]>;
  edges: Edge[];
  /** Blocks in an order where every block comes after its upstream blocks (cycles left out). */
  order: string[];
  /** A cycle as a path that starts and ends with the same uuid, or undefined. */
  cycle?: string[];
  /** References to uuids that are not blocks of the pipeline. */
  unknown: { block: string; side: 'upstream' | 'downstream'; index: number; uuid: string }[];
}

/**
 * The DAG of the pipeline's `blocks` and `widgets`. Callbacks and conditionals are attached to blocks
 * through their upstream_blocks but are not steps of the DAG, so they are left out here.
 */
export function buildGraph(pipeline: Pipeline): PipelineGraph {
  const members = pipeline.blocks.filter((b) => b.list === 'blocks' || b.list === 'widgets');
  const blocks = new Map<string, Block>();
  for (const block of members) if (!blocks.has(block.uuid)) blocks.set(block.uuid, block);
  const upstream = new Map<string, string[]>([...blocks.keys()].map((u) => [u, []]));
  const downstream = new Map<string, string[]>([...blocks.keys()].map((u) => [u, []]));
  const edgeByKey = new Map<string, Edge>();
  const unknown: PipelineGraph['unknown'] = [];
  const link = (from: string, to: string, side: 'upstream' | 'downstream') => {
    const key = `${from}\u0000${to}`;
    const edge = edgeByKey.get(key);
    if (edge) {
      if (edge.listedIn !== side) edge.listedIn = 'both';
      return;
    }
    edgeByKey.set(key, { from, to, listedIn: side });
    upstream.get(to)!.push(from);
    downstream.get(from)!.push(to);
  };
  // Mage may list a link only in downstream_blocks, so we read both sides; upstream_blocks first,
  // because its order is the order in which a block receives its inputs.
  for (const block of blocks.values()) {
    block.upstream.forEach((uuid, index) => {
      if (blocks.has(uuid)) link(uuid, block.uuid, 'upstream');
      else unknown.push({ block: block.uuid, side: 'upstream', index, uuid });
    });
  }
  for (const block of blocks.values()) {
    block.downstream.forEach((uuid, index) => {
      if (blocks.has(uuid)) link(block.uuid, uuid, 'downstream');
      else unknown.push({ block: block.uuid, side: 'downstream', index, uuid });
    });
  }
  const { order, cycle } = topologicalOrder([...blocks.keys()], upstream, downstream);
  return { blocks, upstream, downstream, edges: [...edgeByKey.values()], order, cycle, unknown };
}

/** Kahn's algorithm, keeping the file's order among blocks that are ready at the same time. */
function topologicalOrder(uuids: string[], upstream: Map<string, string[]>, downstream: Map<string, string[]>): { order: string[]; cycle?: string[] } {
  const waiting = new Map(uuids.map((u) => [u, upstream.get(u)!.length]));
  const position = new Map(uuids.map((u, i) => [u, i]));
  const ready = uuids.filter((u) => waiting.get(u) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const next = ready.shift()!;
    order.push(next);
    for (const child of downstream.get(next)!) {
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) insertByPosition(ready, child, position);
    }
  }
  if (order.length === uuids.length) return { order };
  const stuck = new Set(uuids.filter((u) => waiting.get(u)! > 0));
  return { order, cycle: findCycle(stuck, upstream, position) };
}

function insertByPosition(ready: string[], uuid: string, position: Map<string, number>): void {
  const at = ready.findIndex((u) => position.get(u)! > position.get(uuid)!);
  if (at < 0) ready.push(uuid);
  else ready.splice(at, 0, uuid);
}

/** Walks upstream links among blocks that never became ready until one repeats: that loop is a cycle. */
function findCycle(stuck: Set<string>, upstream: Map<string, string[]>, position: Map<string, number>): string[] {
  const start = stuck.values().next().value as string;
  const path: string[] = [];
  const seenAt = new Map<string, number>();
  let current = start;
  while (!seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    current = upstream.get(current)!.find((u) => stuck.has(u))!;
  }
  // The walk went upstream; reverse it so the path reads in run order (a → b means b runs after a).
  const loop = path.slice(seenAt.get(current)!).reverse();
  // Start at the block written first, so the same cycle always reads the same way.
  const first = loop.reduce((best, uuid, i) => (position.get(uuid)! < position.get(loop[best])! ? i : best), 0);
  const rotated = [...loop.slice(first), ...loop.slice(0, first)];
  return [...rotated, rotated[0]];
}
