import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { Dataset, isDataset } from './dataset.js';
import { persistOutput } from './persist.js';
import { parquetSource } from './sql-text.js';

/**
 * What a connector was given (a dataset, rows, an Arrow table or row batches) as a dataset:
 * anything but a dataset is first streamed to parquet under `dir`.
 */
export async function toDataset(data: unknown, duck: DuckDBConnection, dir: string, helper: string): Promise<Dataset> {
  if (isDataset(data)) return data;
  const stored = await persistOutput(duck, data, { dir: join(dir, 'rows') });
  if (stored.kind !== 'table') throw new Error(`${helper} takes a dataset, rows or row batches`);
  return new Dataset(duck, parquetSource(stored.files));
}
