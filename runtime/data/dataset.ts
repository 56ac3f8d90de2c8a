import { JSDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { plainRow, streamChunks } from './duck.js';
import { sqlBody } from './sql-text.js';

/** A column of a dataset. */
export interface Column {
  name: string;
  type: string;
}

/** A row of a dataset. */
export type Row = Record<string, unknown>;

const DATASET = Symbol.for('pipewright.dataset');

/**
 * A table that lives in DuckDB's reach (parquet files, a CSV, or a query over other datasets), read
 * only when asked: rows, batches, Arrow, or SQL. What blocks receive from their upstream blocks.
 */
export class Dataset {
  readonly [DATASET] = true;

  constructor(
    private readonly connection: DuckDBConnection,
    /** A DuckDB table expression, such as `read_parquet([...])` or `(SELECT ...)`. */
    readonly source: string,
    /** The block that produced it, when there is one. */
    readonly block?: string,
  ) {}

  /** Number of rows. */
  async count(): Promise<number> {
    const reader = await this.connection.runAndReadAll(`SELECT count(*) AS n FROM ${this.source}`);
    return Number(reader.getRowObjectsJS()[0].n);
  }

  /** Column names and DuckDB types. */
  async schema(): Promise<Column[]> {
    const reader = await this.connection.runAndReadAll(`DESCRIBE SELECT * FROM ${this.source}`);
    return reader.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  /** All rows (or the first `limit`) as objects. For large data prefer `batches()` or `sql()`. */
  async rows(options: { limit?: number } = {}): Promise<Row[]> {
    const limit = options.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(options.limit))}`;
    const reader = await this.connection.runAndReadAll(`SELECT * FROM ${this.source}${limit}`);
    return reader.getRowObjectsJS().map((row) => plainRow(row as Row));
  }

  /** Rows in batches of about `size`, streamed: memory stays bounded whatever the dataset's size. */
  async *batches(options: { size?: number } = {}): AsyncGenerator<Row[]> {
    const size = options.size ?? 10000;
    let batch: Row[] = [];
    for await (const { names, chunk } of streamChunks(this.connection, `SELECT * FROM ${this.source}`)) {
      for (const values of chunk.convertRows(JSDuckDBValueConverter)) {
        const row: Row = {};
        names.forEach((name, i) => (row[name] = values[i]));
        batch.push(plainRow(row));
      }
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** A new dataset from SQL over this one, which the query calls `data`: `SELECT ... FROM data`. */
  sql(query: string): Dataset {
    return new Dataset(this.connection, `(WITH data AS (SELECT * FROM ${this.source}) ${sqlBody(query)}\n)`, this.block);
  }

  /** The whole dataset as an Apache Arrow table (in memory). */
  async arrow(): Promise<Table> {
    // Loaded on first use: Arrow takes a tenth of a second to load, and most blocks never ask.
    const { tableFromJSON } = await import('apache-arrow');
    return tableFromJSON(await this.rows());
  }
}

/** Whether a value is a dataset handle (also across bundles, by its brand). */
export function isDataset(value: unknown): value is Dataset {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DATASET] === true;
}
