import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Opens an in-memory DuckDB with limits that suit one block on a small machine. DuckDB hands its
 * operators memory in proportion to the limit, and under about 320 MB it writes an ordered parquet
 * file (every block's output) on one thread: the taxi month's 1.4M rows took 2.5 s at 256 MB and
 * 1.3 s at 384 MB. With readCsv's small buffers the month's run peaks no higher than it did at 256 MB
 * before (measured).
 */
export async function openDuck(options: { memoryLimit?: string; threads?: number; tempDirectory?: string } = {}): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: options.memoryLimit ?? '384MB',
    threads: String(options.threads ?? 2),
    ...(options.tempDirectory ? { temp_directory: options.tempDirectory } : {}),
  });
  return instance.connect();
}


/** DuckDB gives BIGINT as JavaScript bigint; rows read by blocks use plain numbers when they are exact. */
export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;
  return value;
}

/** Converts every value of a row object with `plainValue`. */
export function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(row)) row[key] = plainValue(row[key]);
  return row;
}
