import type { PipelineGraph } from '../graph/graph.js';
import { NON_EXECUTABLE_TYPES, isBlockType } from '../project/block-kinds.js';
import type { Block } from '../project/model.js';

/** Which blocks a run runs. */
export interface RunSelection {
  /** Run only this block (with --with-upstream, also everything it needs). */
  block?: string;
  /** Run this block and everything downstream of it. */
  from?: string;
  withUpstream?: boolean;
}

/** Whether a block takes part in pipeline runs (charts, markdown and scratchpads never do). */
export function isExecutable(block: Block): boolean {
  return block.list === 'blocks' && isBlockType(block.type) && !NON_EXECUTABLE_TYPES.has(block.type);
}

function closure(start: string, next: Map<string, string[]>): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    for (const n of next.get(stack.pop()!) ?? []) {
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(n);
    }
  }
  return seen;
}

/** The blocks to run, in run order; throws with advice when the selection names no block. */
export function planRun(graph: PipelineGraph, selection: RunSelection): string[] {
  const executable = graph.order.filter((uuid) => isExecutable(graph.blocks.get(uuid)!));
  const named = selection.block ?? selection.from;
  if (named !== undefined && !graph.blocks.has(named)) {
    throw new Error(`Cannot find block "${named}" in this pipeline (blocks: ${executable.join(', ')})`);
  }
  if (named !== undefined && !executable.includes(named)) {
    throw new Error(`Block "${named}" is a ${graph.blocks.get(named)!.type} block, which pipeline runs skip`);
  }
  if (selection.block !== undefined) {
    const wanted = selection.withUpstream ? closure(selection.block, graph.upstream) : new Set([selection.block]);
    return executable.filter((uuid) => wanted.has(uuid));
  }
  if (selection.from !== undefined) {
    const wanted = closure(selection.from, graph.downstream);
    return executable.filter((uuid) => wanted.has(uuid));
  }
  return executable;
}
