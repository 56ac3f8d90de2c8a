import { fanOut, isDynamic } from '../runtime/graph/dynamic.js';
import type { PipelineGraph } from '../runtime/graph/graph.js';
import type { BlockRecord, RunRecord } from '../runtime/history/run-history.js';
import type { Block, Pipeline } from '../runtime/project/model.js';
import type { LiveStatuses } from './dag-model.js';
import { formatDuration } from '../runtime/duration.js';

/** A block as the Pipelines view lists it under its pipeline. */
export interface BlockRow {
  block: Block;
  /** The live run's status while it goes, else the latest run's. */
  status?: string;
  /** The latest run's time (none while a live run has the block). */
  durationMs?: number;
  /** The latest run's runs of this block per item of a dynamic block. */
  runs: BlockRecord[];
  /** The conditionals and callbacks attached to it. */
  attached: Block[];
  /** Whether it runs once per item of a dynamic block. */
  perItem: boolean;
}

export function seconds(ms?: number): string {
  return ms === undefined ? '' : formatDuration(ms);
}

/** The blocks of a pipeline in run order (blocks of a cycle after), with their latest status and runs. */
export function blockRows(pipeline: Pipeline, graph: PipelineGraph, latest: RunRecord | undefined, live: LiveStatuses | undefined): BlockRow[] {
  const attached = pipeline.blocks.filter((b) => b.list === 'conditionals' || b.list === 'callbacks');
  const { fannedBy } = fanOut(graph);
  return [...graph.order, ...[...graph.blocks.keys()].filter((u) => !graph.order.includes(u))].map((uuid) => {
    const record = latest?.blocks.get(uuid);
    const runs = (record?.children ?? []).map((name) => latest!.blocks.get(name)).filter((r): r is BlockRecord => r !== undefined);
    return {
      block: graph.blocks.get(uuid)!,
      status: live?.statuses.get(uuid) ?? record?.status,
      durationMs: live?.statuses.has(uuid) ? undefined : record?.durationMs,
      runs,
      attached: attached.filter((b) => b.upstream.includes(uuid)),
      perItem: fannedBy.has(uuid),
    };
  });
}

/** A block row's description: type, language, its shape in a fan-out, status and time. */
export function blockDescription(row: BlockRow): string {
  const shape = isDynamic(row.block) ? 'dynamic' : row.perItem ? `per item${row.runs.length > 0 ? ` ×${row.runs.length}` : ''}` : undefined;
  return [row.block.type, row.block.language, shape, row.status, seconds(row.durationMs)].filter(Boolean).join(' · ');
}
