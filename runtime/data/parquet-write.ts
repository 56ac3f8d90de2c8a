import type { DuckDBConnection } from '@duckdb/node-api';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Dataset } from './dataset.js';
import { sqlIdent, sqlString } from './sql-text.js';

const NAIVE_TIMESTAMP = /^TIMESTAMP(_NS|_MS|_S)?$/;

/**
 * The dataset's columns for parquet that warehouses read back right: timestamps become UTC-adjusted
 * microsecond timestamps (BigQuery TIMESTAMP, not INTEGER as nanosecond pandas files give, nor
 * DATETIME as naive ones do). Pipewright, like Mage, takes naive times as UTC.
 */
export async function portableSelect(duck: DuckDBConnection, dataset: Dataset): Promise<string> {
  const columns = await dataset.schema();
  const list = columns.map((c) => (NAIVE_TIMESTAMP.test(c.type) ? `CAST(${sqlIdent(c.name)} AS TIMESTAMPTZ) AS ${sqlIdent(c.name)}` : sqlIdent(c.name)));
  await duck.run("SET TimeZone = 'UTC'");
  return `SELECT ${list.join(', ')} FROM ${dataset.source}`;
}

/** Writes a dataset as one parquet file. */
export async function writeParquetFile(duck: DuckDBConnection, dataset: Dataset, file: string): Promise<void> {
  await duck.run(`COPY (${await portableSelect(duck, dataset)}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
}

/**
 * Writes a dataset into `dir` partitioned by columns, in hive layout
 * (`tpep_pickup_date=2021-01-01/part-0.parquet`), and returns the files' paths relative to `dir`.
 */
export async function writeParquetPartitions(duck: DuckDBConnection, dataset: Dataset, dir: string, partitionBy: string[]): Promise<string[]> {
  const columns = new Set((await dataset.schema()).map((c) => c.name));
  const unknown = partitionBy.filter((c) => !columns.has(c));
  if (unknown.length > 0) throw new Error(`partitionBy names ${unknown.join(', ')}, which the data has no column for (columns: ${[...columns].join(', ')})`);
  await duck.run(
    `COPY (${await portableSelect(duck, dataset)}) TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${partitionBy.map(sqlIdent).join(', ')}), FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE)`,
  );
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(folder, entry.name));
      else if (entry.name.endsWith('.parquet')) files.push(relative(dir, join(folder, entry.name)).split(sep).join('/'));
    }
  };
  walk(dir);
  return files.sort();
}

/** Rows in parquet files, from their footers: counting the dataset instead would read it all again. */
export async function parquetRows(duck: DuckDBConnection, files: string[]): Promise<number> {
  if (files.length === 0) return 0;
  const reader = await duck.runAndReadAll(`SELECT coalesce(sum(num_rows), 0) AS n FROM parquet_file_metadata([${files.map(sqlString).join(', ')}])`);
  return Number(reader.getRowObjectsJS()[0].n);
}
