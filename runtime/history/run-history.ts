import { appendFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { heartbeatFile, historyFile, stateDir } from '../layout.js';
import { isWithin } from '../path-within.js';
import type { BlockError, BlockStatus, RunEvent, RunStatus, StoredOutput } from '../protocol.js';
import { isGone } from './process-identity.js';

type BlockFinished = Extract<RunEvent, { kind: 'block-finished' }>;

/** One block of a run, as the history knows it: what its block-finished event said, while it runs too. */
export type BlockRecord = Omit<BlockFinished, 'kind' | 'time' | 'runId' | 'status' | 'attempt' | 'durationMs'> & {
  status: BlockStatus | 'running' | 'pending';
  attempts: number;
  durationMs?: number;
  /** The callbacks that ran after the block. */
  callbacks?: { callback: string; on: 'success' | 'failure'; status: 'completed' | 'failed'; error?: BlockError }[];
};

/** One pipeline run, folded from its events. */
export interface RunRecord {
  runId: string;
  pipeline: string;
  status: RunStatus;
  executionDate: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  trigger?: string;
  backfill?: string;
  partial: boolean;
  variables: Record<string, unknown>;
  blocks: Map<string, BlockRecord>;
}

/** When a run was last seen alive: its last event, or its heartbeat if that is later. */
function lastSeen(root: string, run: RunRecord, lastEvent: string): number {
  let seen = Date.parse(lastEvent);
  try {
    seen = Math.max(seen, statSync(heartbeatFile(root, run.runId)).mtimeMs);
  } catch {
    // No heartbeat (a run from before heartbeats, or one killed before its first).
  }
  return seen;
}

/**
 * Refuses a `.pipewright/` (or a folder in it) that is a symbolic link out of the project: a cloned
 * repository could otherwise point runs' outputs, logs and history at any folder the user can write.
 */
export function checkStateDir(root: string): void {
  const dir = stateDir(root);
  const realRoot = realpathOrSelf(root);
  for (const path of [dir, ...(existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [])]) {
    if (!existsSync(path) && !isSymbolicLink(path)) continue;
    const real = realpathOrSelf(path);
    if (!isWithin(realRoot, real)) {
      throw new Error(`${relative(root, path)} leads out of the project (to ${real}): Pipewright keeps its state inside the project; remove the link`);
    }
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // A link to nowhere: where it points.
    return isSymbolicLink(path) ? resolve(dirname(path), readlinkSync(path)) : path;
  }
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Appends an event to the run history. Each event is one line written by one append, which the
 * kernel keeps whole and in place even when a scheduler and a terminal run write at the same time.
 */
export function appendHistory(root: string, event: RunEvent): void {
  if (event.kind === 'block-log' || event.kind === 'block-progress') return;
  const file = historyFile(root);
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(event)}\n`);
}

function fold(runs: Map<string, RunRecord>, identities: Map<string, { host: string; pid: number; pidStarted?: number }>, event: RunEvent): void {
  if (event.kind === 'run-started') {
    runs.set(event.runId, {
      runId: event.runId,
      pipeline: event.pipeline,
      status: 'running',
      executionDate: event.executionDate,
      startedAt: event.time,
      trigger: event.trigger,
      backfill: event.backfill,
      partial: event.partial ?? false,
      variables: event.variables,
      blocks: new Map(event.blocks.map((b) => [b, { block: b, status: 'pending', attempts: 0 }])),
    });
    identities.set(event.runId, { host: event.host, pid: event.pid, pidStarted: event.pidStarted });
    return;
  }
  const run = runs.get(event.runId);
  if (!run) return;
  if (event.kind === 'run-finished') {
    if (run.status !== 'running') return; // the first word on a run's end stands
    run.status = event.status;
    run.endedAt = event.time;
    run.durationMs = event.durationMs;
    for (const block of run.blocks.values()) {
      if (block.status === 'running' || block.status === 'pending') block.status = event.status === 'interrupted' ? 'failed' : 'cancelled';
    }
    return;
  }
  if (event.kind === 'callback-finished') {
    const parent = run.blocks.get(event.block);
    if (parent) (parent.callbacks ??= []).push({ callback: event.callback, on: event.on, status: event.status, error: event.error });
    return;
  }
  const block = run.blocks.get(event.block) ?? { block: event.block, status: 'pending' as const, attempts: 0 };
  run.blocks.set(event.block, block);
  if (event.kind === 'block-started') {
    block.status = 'running';
    block.attempts = event.attempt;
    block.startedAt ??= event.time;
  } else if (event.kind === 'block-retry') {
    block.error = event.error;
  } else if (event.kind === 'block-finished') {
    const { kind: _kind, time: _time, runId: _runId, attempt, startedAt, ...finished } = event;
    // A retry's error goes: the finished event says whether the block ended with one.
    Object.assign(block, { error: undefined }, finished, { attempts: attempt });
    block.startedAt ??= startedAt;
  }
}

/**
 * Reads every run of a project, oldest first. A run whose process is gone without finishing is
 * marked interrupted, in the history too, so it never shows as running forever.
 */
export function readHistory(root: string): RunRecord[] {
  const file = historyFile(root);
  if (!existsSync(file)) return [];
  const runs = new Map<string, RunRecord>();
  const identities = new Map<string, { host: string; pid: number; pidStarted?: number }>();
  const lastEvents = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let event: RunEvent;
    try {
      event = JSON.parse(line) as RunEvent;
    } catch {
      continue; // a line cut short by a crash mid-write; the rest of the history stands
    }
    if ('time' in event && 'runId' in event) lastEvents.set(event.runId, event.time);
    fold(runs, identities, event);
  }
  for (const run of runs.values()) {
    const identity = identities.get(run.runId)!;
    if (run.status !== 'running' || !isGone({ host: identity.host, pid: identity.pid, started: identity.pidStarted })) continue;
    // It ran until it was last seen, not until now: a run killed at 4 s read as 58 s a minute later.
    const ended = lastSeen(root, run, lastEvents.get(run.runId) ?? run.startedAt);
    const event: RunEvent = {
      kind: 'run-finished',
      time: new Date(ended).toISOString(),
      runId: run.runId,
      status: 'interrupted',
      durationMs: Math.max(0, ended - Date.parse(run.startedAt)),
    };
    appendHistory(root, event);
    fold(runs, identities, event);
  }
  return [...runs.values()];
}

/** For each block of a pipeline, its newest successful output that is still on disk, and its run. */
export function latestOutputs(runs: RunRecord[], pipeline: string): Map<string, { runId: string; output: StoredOutput }> {
  const latest = new Map<string, { runId: string; output: StoredOutput }>();
  for (const run of runs) {
    if (run.pipeline !== pipeline) continue;
    for (const block of run.blocks.values()) {
      if (block.status !== 'completed' || !block.output) continue;
      if (!block.output.files.every((f) => existsSync(f))) continue;
      latest.set(block.block, { runId: run.runId, output: block.output });
    }
  }
  return latest;
}

/** Finds a run by id or unique id prefix. */
export function findRun(runs: RunRecord[], id: string): RunRecord | undefined {
  const exact = runs.find((r) => r.runId === id);
  if (exact) return exact;
  const matches = runs.filter((r) => r.runId.startsWith(id));
  return matches.length === 1 ? matches[0] : undefined;
}
