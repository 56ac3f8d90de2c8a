import type { DuckDBConnection } from '@duckdb/node-api';

/** What the block API's helpers (readCsv, ...) use of the block that is running. */
export interface BlockEnvironment {
  /** The worker's DuckDB connection, opened on first use. */
  connection: () => Promise<DuckDBConnection>;
  /** The project's folder. */
  projectRoot: string;
  /** A folder of the block's own, for downloads and scratch files. */
  workDir: string;
  signal: AbortSignal;
  /** Reports progress on the run's live line. */
  progress: (progress: { rows?: number; bytes?: number }) => void;
  /** Writes to the block's log. */
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

let current: BlockEnvironment | undefined;

/** Set by the worker before it loads the block's code. */
export function setBlockEnvironment(environment: BlockEnvironment): void {
  current = environment;
}

/** The running block's environment; the helpers only work inside a block run by Pipewright. */
export function blockEnvironment(helper: string): BlockEnvironment {
  if (!current) throw new Error(`${helper}() works only inside a block that Pipewright runs (pipewright run ...)`);
  return current;
}
