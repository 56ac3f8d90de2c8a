import type { Block } from '../project/model.js';
import type { PipelineGraph } from './graph.js';

/** Whether a block is dynamic: its output is a list, and its downstream blocks run once per item. */
export function isDynamic(block: Pick<Block, 'configuration'>): boolean {
  // Newer Mage versions (dynamic blocks v2) write a map of settings instead of true: `parent: true`
  // marks the dynamic block, `parent: false` a child.
  return block.configuration.dynamic === true || dynamicSettings(block)?.parent === true;
}

/** Whether a child of a dynamic block gathers its runs' outputs into one list for its downstream blocks. */
export function reducesOutput(block: Pick<Block, 'configuration'>): boolean {
  return block.configuration.reduce_output === true || dynamicSettings(block)?.reduce_output === true;
}

function dynamicSettings(block: Pick<Block, 'configuration'>): Record<string, unknown> | undefined {
  const dynamic = block.configuration.dynamic;
  return dynamic !== null && typeof dynamic === 'object' && !Array.isArray(dynamic) ? (dynamic as Record<string, unknown>) : undefined;
}

/** How a pipeline fans out: which blocks run once per item of which dynamic block. */
export interface FanOut {
  /** Each block that runs once per item, with the dynamic block whose items it runs for. */
  fannedBy: Map<string, string>;
  /** Shapes Pipewright does not run, each with the block it concerns. */
  /** `refusesRun`: a run of the block would be wrong, so none starts (Mage may run it: then only a warning). */
  problems: { block: string; key: 'upstream_blocks' | 'configuration'; severity: 'error' | 'warning'; refusesRun: boolean; message: string }[];
}

/**
 * The blocks that run once per item of a dynamic block: its direct downstream blocks, and theirs in
 * turn, until a block reduces its output (`reduce_output: true`) into one list.
 */
export function fanOut(graph: PipelineGraph): FanOut {
  const fannedBy = new Map<string, string>();
  const problems: FanOut['problems'] = [];
  for (const uuid of graph.order) {
    const block = graph.blocks.get(uuid)!;
    const sources = new Set<string>();
    for (const up of graph.upstream.get(uuid)!) {
      const upstream = graph.blocks.get(up)!;
      if (isDynamic(upstream) && !fannedBy.has(up)) sources.add(up);
      else if (fannedBy.has(up) && !reducesOutput(upstream)) sources.add(fannedBy.get(up)!);
    }
    if (sources.size > 1) {
      problems.push({
        block: uuid,
        key: 'upstream_blocks',
        severity: 'error',
        refusesRun: true,
        message: `Block "${uuid}" would run once per item of several dynamic blocks (${[...sources].join(', ')}): Pipewright pairs a block's runs with the items of one; reduce the others first (reduce_output: true)`,
      });
      continue;
    }
    if (sources.size === 1) {
      fannedBy.set(uuid, [...sources][0]);
      if (isDynamic(block)) {
        problems.push({
          block: uuid,
          key: 'configuration',
          severity: 'warning',
          refusesRun: true,
          message: `Block "${uuid}" is dynamic and also runs once per item of "${[...sources][0]}": Mage runs this, Pipewright does not nest dynamic blocks yet; to run it here, reduce first (reduce_output: true on the child), then fan out again`,
        });
      }
    } else if (reducesOutput(block)) {
      problems.push({
        block: uuid,
        key: 'configuration',
        severity: 'warning',
        refusesRun: false,
        message: `Block "${uuid}" has reduce_output: true but runs once, not per item of a dynamic block: remove reduce_output, or make an upstream block dynamic`,
      });
    }
  }
  return { fannedBy, problems };
}
