import { fanOut, isDynamic, reducesOutput } from '../runtime/graph/dynamic.js';
import type { PipelineGraph } from '../runtime/graph/graph.js';
import type { RunRecord } from '../runtime/history/run-history.js';
import type { Pipeline } from '../runtime/project/model.js';
import type { HostToWebview, TimelineBar } from '../runtime/protocol.js';

/** What the DAG view needs of a run the editor follows live. */
export interface LiveStatuses {
  runId?: string;
  finished?: string;
  statuses: ReadonlyMap<string, string>;
}

/**
 * The message that draws a pipeline: its blocks with their links, dynamic blocks and blocks run per
 * item marked, conditionals and callbacks attached to the blocks they name.
 */
export function graphMessage(pipeline: Pipeline, graph: PipelineGraph): Extract<HostToWebview, { kind: 'graph' }> {
  const { fannedBy } = fanOut(graph);
  const attached = pipeline.blocks.filter((b) => b.list === 'conditionals' || b.list === 'callbacks');
  return {
    kind: 'graph',
    pipeline: pipeline.uuid,
    blocks: [
      ...[...graph.blocks.values()].map((b) => ({
        uuid: b.uuid,
        name: b.name,
        type: b.type,
        language: b.language,
        upstream: graph.upstream.get(b.uuid) ?? [],
        ...(isDynamic(b) ? { dynamic: true } : {}),
        ...(fannedBy.has(b.uuid) ? { perItemOf: fannedBy.get(b.uuid)!, ...(reducesOutput(b) ? { reduces: true } : {}) } : {}),
      })),
      ...attached.map((b) => ({ uuid: b.uuid, name: b.name, type: b.type, language: b.language, upstream: [], attachedTo: b.upstream.filter((u) => graph.blocks.has(u)) })),
    ],
    order: graph.order,
    cycle: graph.cycle ?? null,
  };
}

/**
 * The message that colours the DAG and draws the timeline: each block's status in the latest run
 * (a live run's statuses over it while it goes), one bar per block (a block run per item has one
 * bar; its runs show in the graph), and the block to focus.
 */
export function statusMessage(latest: RunRecord | undefined, live: LiveStatuses | undefined, focus?: string): Extract<HostToWebview, { kind: 'status' }> {
  const statuses: Record<string, string> = {};
  const timeline: TimelineBar[] = [];
  if (latest) {
    const start = Date.parse(latest.startedAt);
    // A block's runs per item follow in item order (its record lists them), not in the order they
    // happened to start, so the expanded DAG shows item 0, 1, 2 ... however the workers took them.
    const ordered = [...latest.blocks.keys()].flatMap((uuid) => {
      const record = latest.blocks.get(uuid)!;
      return record.parent && latest.blocks.get(record.parent)?.children?.includes(uuid) ? [] : [uuid, ...(record.children ?? [])];
    });
    for (const uuid of ordered) {
      const record = latest.blocks.get(uuid);
      if (!record) continue;
      statuses[uuid] = record.status;
      if (record.startedAt && !record.parent)
        timeline.push({ block: uuid, startMs: Date.parse(record.startedAt) - start, durationMs: record.durationMs ?? 0, rows: record.output?.rows, status: record.status });
    }
  }
  if (live && (!latest || live.runId === latest.runId || !live.finished)) for (const [uuid, status] of live.statuses) statuses[uuid] = status;
  return { kind: 'status', statuses, timeline, ...(focus ? { focus } : {}) };
}
