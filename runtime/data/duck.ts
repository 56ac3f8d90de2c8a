import { DuckDBInstance, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';

// The instance behind each connection openDuck made, so a stream can open a connection of its own,
// and the connections open on it, so that all of them can be interrupted.
const instances = new WeakMap<DuckDBConnection, { instance: DuckDBInstance; open: Set<DuckDBConnection> }>();

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
  const connection = await instance.connect();
  instances.set(connection, { instance, open: new Set([connection]) });
  return connection;
}

/** A chunk of a streamed query, with the result's column names. */
export interface StreamedChunk {
  names: string[];
  chunk: DuckDBDataChunk;
}

/**
 * Streams a query's rows a chunk at a time, on a connection of its own (the next chunk is fetched
 * while the caller works on this one). DuckDB ends a streaming result when any other statement runs
 * on its connection, and the cut-off stream then looks exactly like a finished one (an empty
 * chunk): a block that queried its data inside a `batches()` loop lost every row after the first
 * 10,240. On its own connection nothing else can run, so the stream delivers every row or throws.
 */
export async function* streamChunks(connection: DuckDBConnection, query: string): AsyncGenerator<StreamedChunk> {
  const known = instances.get(connection);
  if (!known) throw new Error('Cannot stream from a DuckDB connection that openDuck did not open');
  const own = await known.instance.connect();
  known.open.add(own);
  let next: Promise<DuckDBDataChunk | null> | undefined;
  try {
    const result = await own.stream(query);
    const names = result.columnNames();
    next = result.fetchChunk();
    for (;;) {
      const chunk = await next;
      next = undefined;
      if (!chunk || chunk.rowCount === 0) break;
      next = result.fetchChunk();
      yield { names, chunk };
    }
  } finally {
    // A consumer that stopped early leaves a fetch under way: let it settle before closing.
    await next?.catch(() => undefined);
    known.open.delete(own);
    own.closeSync();
  }
}

/** Interrupts whatever runs on `connection` and on every stream opened from it (DuckDB's interrupt). */
export function interruptDuck(connection: DuckDBConnection): void {
  for (const open of instances.get(connection)?.open ?? [connection]) open.interrupt();
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
