import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eventsDir, runsDir } from '../layout.js';
import type { Project } from '../project/model.js';
import { latestOutputs, readHistory, type RunRecord } from './run-history.js';

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

/** Deletes the `--events` files the extension asked for that were last written longer ago than the retention period. */
export function pruneEventFiles(root: string, options: { retentionMs: number; now?: number }): string[] {
  const dir = eventsDir(root);
  if (!existsSync(dir)) return [];
  const now = options.now ?? Date.now();
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (now - statSync(file).mtimeMs <= options.retentionMs) continue;
    rmSync(file, { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Applies the project's retention (`variables_retention_period`, 30 days by default) to run folders and
 * events files: after a run, a backfill, and hourly in the scheduler.
 */
export function pruneProject(project: Project, now = Date.now()): void {
  const retentionMs = parseRetention((project.metadata?.value as Record<string, unknown> | null)?.variables_retention_period) ?? DEFAULT_RETENTION_MS;
  pruneRunFolders(project.root, readHistory(project.root), { retentionMs, now });
  pruneEventFiles(project.root, { retentionMs, now });
}
