import { createWriteStream, mkdirSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dataset } from '../data/dataset.js';
import { sqlString } from '../data/sql-text.js';
import { blockEnvironment } from './environment.js';

/** Options of `readCsv`, as in the block API. */
export interface ReadCsvOptions {
  columns?: Record<string, string>;
  delimiter?: string;
  header?: boolean;
  signal?: AbortSignal;
}

/** Streams a URL to a file in the block's folder, keeping its name (and so its .gz) for DuckDB. */
async function download(url: string, dir: string, signal: AbortSignal): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const response = await fetch(url, { signal });
  if (!response.ok || !response.body) throw new Error(`Cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
  const name = basename(new URL(url).pathname) || 'download.csv';
  const file = join(dir, name);
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(file), { signal });
  return file;
}

async function localPath(location: string, helper: string, signal?: AbortSignal): Promise<string> {
  const environment = blockEnvironment(helper);
  if (/^https?:\/\//i.test(location)) return download(location, join(environment.workDir, 'downloads'), signal ?? environment.signal);
  return isAbsolute(location) ? location : resolve(location);
}

/** A CSV or CSV.gz file, local or over HTTP(S), as a dataset read by DuckDB. */
export async function readCsv(location: string, options: ReadCsvOptions = {}): Promise<Dataset> {
  const file = await localPath(location, 'readCsv', options.signal);
  const settings = [`header = ${options.header === false ? 'false' : 'true'}`];
  if (options.delimiter) settings.push(`delim = ${sqlString(options.delimiter)}`);
  if (options.columns && Object.keys(options.columns).length > 0) {
    const types = Object.entries(options.columns).map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`);
    settings.push(`types = {${types.join(', ')}}`);
  }
  const { connection } = blockEnvironment('readCsv');
  const { Dataset } = await import('../data/dataset.js');
  return new Dataset(await connection(), `read_csv(${sqlString(file)}, ${settings.join(', ')})`);
}

/** A parquet file, or a glob of them, as a dataset. */
export async function readParquet(location: string): Promise<Dataset> {
  const file = await localPath(location, 'readParquet');
  const { connection } = blockEnvironment('readParquet');
  const { Dataset } = await import('../data/dataset.js');
  return new Dataset(await connection(), `read_parquet(${sqlString(file)}, union_by_name = true)`);
}
