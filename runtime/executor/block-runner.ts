import type { BlockTask, WorkerMessage } from '../protocol.js';
import type { AttemptResult, WorkerPool } from './worker-pool.js';

/** How one attempt of a block is run. */
export interface AttemptOptions {
  timeoutSeconds?: number;
  /** What a timeout says (a sensor's says it was not ready). */
  timeoutMessage?: string;
  signal: AbortSignal;
  /** The block's log lines and progress, as they come. */
  onMessage: (message: WorkerMessage) => void;
}

/**
 * Runs blocks of one language: given a resolved task, it runs one attempt and says how it ended.
 * The run's state machine decides what runs when; a runner only runs.
 */
export interface BlockRunner {
  run(task: BlockTask, options: AttemptOptions): Promise<AttemptResult>;
}

/** Refuses every block: for languages Pipewright does not run. */
const unsupported: BlockRunner = {
  run: async (task) => ({
    status: 'failed',
    error: {
      code: 'unsupported',
      message: `Pipewright runs TypeScript, SQL and Python blocks; "${task.block.uuid}" is ${task.block.language} (${task.block.file}). Mage runs it; to run it here, rewrite it as a .ts, .sql or .py block`,
      file: task.block.file,
    },
    peakMemoryBytes: process.memoryUsage.rss(),
  }),
};

/**
 * Which runner runs each block language. TypeScript and SQL run in the run's worker threads (SQL
 * on DuckDB, or on PostgreSQL or BigQuery by its data_provider), Python in the user's interpreter;
 * anything else is refused.
 */
export function blockRunners(runners: { pool: WorkerPool; python: BlockRunner }): (language: string) => BlockRunner {
  const table: Record<string, BlockRunner> = { typescript: runners.pool, sql: runners.pool, python: runners.python };
  return (language) => (Object.hasOwn(table, language) ? table[language] : unsupported);
}
