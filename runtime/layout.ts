import { join } from 'node:path';

// Every path Pipewright keeps in a project's .pipewright/ (git-ignored, never the user's sources),
// named in one place: the runtime, the language server and the extension all read them from here.

/** The folder of a project's run state, relative to the project. */
export const STATE_FOLDER = '.pipewright';

/** The folder of a project's run state. */
export function stateDir(root: string): string {
  return join(root, STATE_FOLDER);
}

/** The folder of every run's folders (`runs/<run id>/<block>/`: output, work, log). */
export function runsDir(root: string): string {
  return join(stateDir(root), 'runs');
}

/** The folder of one run. */
export function runDir(root: string, runId: string): string {
  return join(runsDir(root), runId);
}

/** The file a running run touches every few seconds: when its process dies, it says until when it ran. */
export function heartbeatFile(root: string, runId: string): string {
  return join(runDir(root, runId), '.alive');
}

/** The run history: an append-only file of JSON lines that every process of the project writes. */
export function historyFile(root: string): string {
  return join(stateDir(root), 'history', 'runs.jsonl');
}

/** Where the extension asks runs and backfills to write their events (`--events`). */
export function eventsDir(root: string): string {
  return join(stateDir(root), 'events');
}

/** The embedded PostgreSQL's folder: credentials, data (when the server may reach it), log, users. */
export function postgresDir(root: string): string {
  return join(stateDir(root), 'postgres');
}

/** The embedded profile's buckets, a folder each. */
export function bucketsDir(root: string): string {
  return join(stateDir(root), 'buckets');
}

/** The embedded profile's warehouse: a DuckDB file with datasets as schemas. */
export function warehouseFile(root: string): string {
  return join(stateDir(root), 'warehouse.duckdb');
}

/** Compiled TypeScript blocks, kept between runs. */
export function compiledBlocksDir(root: string): string {
  return join(stateDir(root), 'cache', 'blocks');
}

/** The scheduler's claims: one file per (pipeline, trigger, execution date) that ran. */
export function claimsDir(root: string): string {
  return join(stateDir(root), 'scheduler', 'claims');
}

/** The block API's type declarations that block files' tsconfig includes, relative to the project. */
export const TYPES_PATH = `${STATE_FOLDER}/types/pipewright.d.ts`;
