import { BIGINT, BOOLEAN, DOUBLE, DuckDBDataChunk, DuckDBTimestampValue, TIMESTAMP, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDataset, type Column, type Row } from './dataset.js';
import { sqlIdent, sqlString } from './sql-text.js';
import { jsonText } from './json-text.js';

/** What a block's output became on disk. */
export interface OutputInfo {
  /** `table`: parquet files; `json`: any other value, as output.json; `none`: the block returned nothing. */
  kind: 'table' | 'json' | 'none';
  files: string[];
  rows: number;
  columns: Column[];
  bytes: number;
}

/** Reports how far persisting has come, for the live progress line. */
export type ProgressSink = (progress: { rows: number }) => void;

const CHUNK_ROWS = 2048;
const FLUSH_ROWS = 50_000;

/**
 * Persists whatever a block returned into `dir`: a dataset, rows, an Arrow table or an async
 * iterable of row batches become parquet (streamed through an on-disk DuckDB staging table, so
 * memory stays bounded); any other value becomes output.json.
 */
export async function persistOutput(connection: DuckDBConnection | undefined, value: unknown, options: { dir: string; onProgress?: ProgressSink }): Promise<OutputInfo> {
  mkdirSync(options.dir, { recursive: true });
  if (value === undefined || value === null) return { kind: 'none', files: [], rows: 0, columns: [], bytes: 0 };
  const batches = isDataset(value) ? undefined : rowBatches(value);
  if (!isDataset(value) && !batches) {
    const json = join(options.dir, 'output.json');
    writeFileSync(json, jsonText(value));
    return { kind: 'json', files: [json], rows: Array.isArray(value) ? value.length : 1, columns: [], bytes: statSync(json).size };
  }
  if (!connection) throw new Error('Internal error: a table output needs a DuckDB connection');
  const file = join(options.dir, 'part-0.parquet');
  if (isDataset(value)) {
    await connection.run(`COPY (SELECT * FROM ${value.source}) TO ${sqlString(file)} (FORMAT parquet)`);
    return describeParquet(connection, [file]);
  }
  // Rows from JavaScript arrive one batch at a time, so more DuckDB threads only add buffers: one
  // thread keeps a 5M-row stream about 40 MB smaller at the same speed.
  const threads = (await connection.runAndReadAll("SELECT current_setting('threads') AS n")).getRowObjectsJS()[0].n;
  await connection.run('SET threads = 1');
  const staging = new StagingTable(connection, join(options.dir, 'staging.duckdb'));
  try {
    let rows = 0;
    for await (const batch of batches!) {
      await staging.append(batch, rows);
      rows += batch.length;
      options.onProgress?.({ rows });
    }
    await staging.finish(file);
  } finally {
    await staging.close();
    await connection.run(`SET threads = ${Number(threads)}`);
  }
  return describeParquet(connection, [file]);
}

/** What a block output of parquet files holds: rows, columns and bytes. */
export async function describeParquet(connection: DuckDBConnection, files: string[]): Promise<OutputInfo> {
  const source = `read_parquet([${files.map(sqlString).join(', ')}])`;
  const count = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${source}`);
  const schema = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
  return {
    kind: 'table',
    files,
    rows: Number(count.getRowObjectsJS()[0].n),
    columns: schema.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
    bytes: files.reduce((sum, f) => sum + statSync(f).size, 0),
  };
}

function isPlainRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

interface ArrowLike {
  batches: { toArray(): { toJSON(): Row }[] }[];
  schema: { fields: unknown[] };
}

function isArrowTable(value: unknown): value is ArrowLike {
  const v = value as ArrowLike;
  return typeof value === 'object' && value !== null && Array.isArray(v.batches) && Array.isArray(v.schema?.fields);
}

/** The value as batches of row objects, or undefined when it is not tabular. */
function rowBatches(value: unknown): AsyncIterable<Row[]> | Iterable<Row[]> | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every(isPlainRow)) return value.length === 0 ? [] : undefined;
    return (function* () {
      for (let i = 0; i < value.length; i += CHUNK_ROWS) yield value.slice(i, i + CHUNK_ROWS) as Row[];
    })();
  }
  if (isArrowTable(value)) {
    return (function* () {
      for (const batch of value.batches) yield batch.toArray().map((row) => row.toJSON());
    })();
  }
  if (typeof value === 'object' && value !== null && Symbol.asyncIterator in value) {
    return (async function* () {
      for await (const batch of value as AsyncIterable<unknown>) {
        const rows = Array.isArray(batch) ? batch : [batch];
        if (!rows.every(isPlainRow)) throw new Error('An async iterable output must yield row objects or arrays of row objects');
        yield rows as Row[];
      }
    })();
  }
  return undefined;
}

type ColumnKind = 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMP';

const DUCK_TYPES: Record<ColumnKind, DuckDBType> = { BIGINT, DOUBLE, VARCHAR, BOOLEAN, TIMESTAMP };

function kindOf(value: unknown): ColumnKind | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'bigint') return 'BIGINT';
  if (typeof value === 'number') return Number.isInteger(value) ? 'BIGINT' : 'DOUBLE';
  if (value instanceof Date) return 'TIMESTAMP';
  return 'VARCHAR';
}

/** The kind a column must have to hold both kinds, or undefined when no column can. */
function widen(a: ColumnKind, b: ColumnKind): ColumnKind | undefined {
  if (a === b) return a;
  if ((a === 'BIGINT' && b === 'DOUBLE') || (a === 'DOUBLE' && b === 'BIGINT')) return 'DOUBLE';
  return undefined;
}

function convert(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'BIGINT':
      return typeof value === 'bigint' ? value : BigInt(value as number);
    case 'DOUBLE':
      return Number(value);
    case 'BOOLEAN':
      return Boolean(value);
    case 'TIMESTAMP': {
      const ms = (value as Date).getTime();
      return Number.isNaN(ms) ? null : new DuckDBTimestampValue(BigInt(ms) * 1000n);
    }
    case 'VARCHAR':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** An on-disk DuckDB table that rows are appended to in chunks, so DuckDB can spill instead of JS holding them. */
interface StagedColumn {
  name: string;
  kind: ColumnKind;
  /** False while the column has seen only nulls, so its first real value may still choose its kind. */
  typed: boolean;
}

class StagingTable {
  private columns: StagedColumn[] = [];
  private appender?: DuckDBAppender;
  private chunk?: DuckDBDataChunk;
  private attached = false;
  private unflushed = 0;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly path: string,
  ) {}

  private async ensureTable(): Promise<void> {
    if (this.attached) return;
    rmSync(this.path, { force: true });
    await this.connection.run(`ATTACH ${sqlString(this.path)} AS pw_staging`);
    this.attached = true;
  }

  /** Adds columns the batch introduces and widens integer columns that meet decimals. */
  private async evolve(batch: Row[], rowOffset: number): Promise<void> {
    const seen = new Map(this.columns.map((c) => [c.name, c]));
    const changes: string[] = [];
    const fresh: StagedColumn[] = [];
    batch.forEach((row, index) => {
      for (const [name, value] of Object.entries(row)) {
        const kind = kindOf(value);
        const column = seen.get(name);
        if (!column) {
          const added: StagedColumn = { name, kind: kind ?? 'VARCHAR', typed: kind !== undefined };
          seen.set(name, added);
          fresh.push(added);
          continue;
        }
        if (!kind || kind === column.kind) continue;
        if (!column.typed) {
          column.kind = kind;
          column.typed = true;
          if (!fresh.includes(column)) changes.push(`ALTER TABLE pw_staging.output ALTER ${sqlIdent(name)} TYPE ${kind}`);
          continue;
        }
        const wider = widen(column.kind, kind);
        if (!wider && column.kind !== 'VARCHAR') {
          throw new Error(`Column "${name}" holds ${column.kind} values, but row ${rowOffset + index + 1} has ${JSON.stringify(value)}: give the column one type`);
        }
        if (wider && wider !== column.kind) {
          column.kind = wider;
          if (!fresh.includes(column)) changes.push(`ALTER TABLE pw_staging.output ALTER ${sqlIdent(name)} TYPE ${wider}`);
        }
      }
    });
    if (this.columns.length === 0) {
      this.columns = fresh;
      const list = fresh.map((c) => `${sqlIdent(c.name)} ${c.kind}`).join(', ');
      await this.connection.run(`CREATE TABLE pw_staging.output (${list})`);
      return;
    }
    for (const column of fresh) changes.push(`ALTER TABLE pw_staging.output ADD COLUMN ${sqlIdent(column.name)} ${column.kind}`);
    this.columns.push(...fresh);
    if (changes.length === 0) return;
    this.appender?.closeSync();
    this.appender = undefined;
    this.chunk = undefined;
    for (const change of changes) await this.connection.run(change);
  }

  async append(batch: Row[], rowOffset: number): Promise<void> {
    if (batch.length === 0) return;
    await this.ensureTable();
    await this.evolve(batch, rowOffset);
    this.appender ??= await this.connection.createAppender('output', 'main', 'pw_staging');
    // One native chunk, reused: V8 does not see the native memory of chunks, so it would not collect
    // fresh ones soon enough, and millions of rows would pile up hundreds of megabytes of them.
    this.chunk ??= DuckDBDataChunk.create(
      this.columns.map((c) => DUCK_TYPES[c.kind]),
      CHUNK_ROWS,
    );
    for (let start = 0; start < batch.length; start += CHUNK_ROWS) {
      const rows = batch.slice(start, start + CHUNK_ROWS);
      this.chunk.reset();
      this.chunk.rowCount = rows.length;
      this.chunk.setColumns(this.columns.map((c) => rows.map((row) => convert(c.kind, row[c.name])) as never[]));
      this.appender.appendDataChunk(this.chunk);
      this.unflushed += rows.length;
      // Until a flush commits them, appended rows stay in DuckDB's memory; committing often lets
      // them go to the staging file, so memory stays flat however many rows come (every 50,000 rows
      // keeps a 5M-row stream's peak some 15 MB under every 100,000, at the same speed: measured).
      if (this.unflushed >= FLUSH_ROWS) {
        this.appender.flushSync();
        this.unflushed = 0;
      }
    }
  }

  async finish(file: string): Promise<void> {
    await this.ensureTable();
    if (this.columns.length === 0) await this.connection.run('CREATE TABLE pw_staging.output (empty VARCHAR)');
    this.appender?.closeSync();
    this.appender = undefined;
    await this.connection.run(`COPY pw_staging.output TO ${sqlString(file)} (FORMAT parquet)`);
  }

  async close(): Promise<void> {
    this.appender?.closeSync();
    if (this.attached) await this.connection.run('DETACH pw_staging');
    rmSync(this.path, { force: true });
    rmSync(`${this.path}.wal`, { force: true });
  }
}
