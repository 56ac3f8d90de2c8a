import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runsDir } from '../layout.js';
import { latestOutputs, type RunRecord } from './run-history.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Reads Mage's `variables_retention_period` ('90d', '2w', '12h'); undefined when it is not one. */
export function parseRetention(value: unknown): number | undefined {
  const match = typeof value === 'string' ? /^\s*(\d+)\s*([mhdw])\s*$/i.exec(value) : null;
  return match ? Number(match[1]) * UNITS[match[2].toLowerCase()] : undefined;
}

/** How long run folders are kept when the project says nothing. */
export const DEFAULT_RETENTION_MS = 30 * UNITS.d;

/**
 * Deletes the folders of runs that finished longer ago than the retention period, except those that
 * still hold the newest successful output of a block (single-block runs read it). The history keeps
 * every run; only the outputs and logs go.
 */
export function pruneRunFolders(root: string, runs: RunRecord[], options: { retentionMs: number; now?: number }): string[] {
  const dir = runsDir(root);
  if (!existsSync(dir)) return [];
  const now = options.now ?? Date.now();
  const keep = new Set<string>();
  for (const pipeline of new Set(runs.map((r) => r.pipeline))) {
    for (const { runId } of latestOutputs(runs, pipeline).values()) keep.add(runId);
  }
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const removed: string[] = [];
  for (const id of readdirSync(dir)) {
    const run = byId.get(id);
    if (!run || run.status === 'running' || keep.has(id)) continue;
    const ended = Date.parse(run.endedAt ?? run.startedAt);
    if (now - ended <= options.retentionMs) continue;
    rmSync(join(dir, id), { recursive: true, force: true });
    removed.push(id);
  }
  return removed;
}
