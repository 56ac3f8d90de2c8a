import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset } from '../data/dataset.js';
import { parquetRows, writeParquetFile, writeParquetPartitions } from '../data/parquet-write.js';
import { sqlString } from '../data/sql-text.js';
import { toDataset } from '../data/to-dataset.js';
import { inParallel, type ObjectInfo, type ObjectStore } from './object-store.js';

/** Options of `writeParquet`: one object, or objects under a prefix partitioned by columns. */
export interface GcsWriteOptions {
  bucket: string;
  /** The object to write the whole dataset to, as `taxi/2021-01.parquet`. */
  object?: string;
  /** With partitionBy: the folder the partitions go under. */
  prefix?: string;
  /** Columns to partition by, in hive layout: `<prefix>/<column>=<value>/part-0.parquet`. */
  partitionBy?: string[];
}

/** What `writeParquet` wrote. */
export interface GcsWriteResult {
  objects: string[];
  rows: number;
  bytes: number;
}

const PARALLEL_UPLOADS = 4;

/** Cloud Storage (or the local bucket) for a block: parquet in and out, as datasets. */
export class GcsIo {
  constructor(
    private readonly store: ObjectStore,
    private readonly duck: () => Promise<DuckDBConnection>,
    private readonly workDir: string,
  ) {}

  /**
   * Writes a dataset as parquet: one object, or one object per partition in hive layout. A
   * partition that is written replaces that partition's previous objects; other partitions stay.
   */
  async writeParquet(data: unknown, options: GcsWriteOptions): Promise<GcsWriteResult> {
    const partitionBy = options.partitionBy ?? [];
    if (partitionBy.length > 0 && options.object)
      throw new Error('gcs.writeParquet: give prefix (not object) with partitionBy, as { prefix: "nyc_taxi_data", partitionBy: ["tpep_pickup_date"] }');
    if (partitionBy.length === 0 && !options.object)
      throw new Error('gcs.writeParquet: give the object to write, as { bucket, object: "taxi.parquet" }, or a prefix with partitionBy');
    const duck = await this.duck();
    const dir = join(this.workDir, `gcs-write-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    try {
      const dataset = await toDataset(data, duck, dir, 'gcs.writeParquet');
      if (partitionBy.length === 0) {
        const file = join(dir, 'object.parquet');
        await writeParquetFile(duck, dataset, file);
        const bytes = statSync(file).size;
        const rows = await parquetRows(duck, [file]);
        await this.store.put(file, options.bucket, options.object!);
        return { objects: [options.object!], rows, bytes };
      }
      const out = join(dir, 'partitions');
      const files = await writeParquetPartitions(duck, dataset, out, partitionBy);
      const rows = await parquetRows(
        duck,
        files.map((f) => join(out, f)),
      );
      const prefix = (options.prefix ?? '').replace(/\/+$/, '');
      const name = (file: string) => (prefix ? `${prefix}/${file}` : file);
      const bytes = files.reduce((sum, f) => sum + statSync(join(out, f)).size, 0);
      const written = new Set(files.map(name));
      const folders = new Set(files.map((f) => name(f.slice(0, f.lastIndexOf('/') + 1))));
      const stale = (await this.store.list(options.bucket, prefix ? `${prefix}/` : '')).filter(
        (o) => !written.has(o.name) && folders.has(o.name.slice(0, o.name.lastIndexOf('/') + 1)),
      );
      await inParallel(files, PARALLEL_UPLOADS, (file) => this.store.put(join(out, file), options.bucket, name(file)));
      await inParallel(stale, PARALLEL_UPLOADS, (object) => this.store.delete(options.bucket, object.name));
      return { objects: [...written], rows, bytes };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The objects under a prefix. */
  list(options: { bucket: string; prefix?: string }): Promise<ObjectInfo[]> {
    return this.store.list(options.bucket, options.prefix ?? '');
  }

  /**
   * Parquet objects as one dataset: one object, or every .parquet object under a prefix (hive
   * partition folders such as `tpep_pickup_date=2021-01-01/` become columns again).
   */
  async readParquet(options: { bucket: string; object?: string; prefix?: string }): Promise<Dataset> {
    let names: string[];
    if (options.object) {
      names = [options.object];
    } else {
      const prefix = options.prefix ?? '';
      names = (await this.store.list(options.bucket, prefix)).map((o) => o.name).filter((n) => n.endsWith('.parquet'));
      if (names.length === 0) {
        throw Object.assign(
          new Error(`No parquet objects under ${this.store.describe(options.bucket, prefix)}: check the bucket and prefix (did the run that writes them succeed for this date?)`),
          { code: 404 },
        );
      }
    }
    const downloads = join(this.workDir, 'gcs-read');
    const files = await inParallel(names, PARALLEL_UPLOADS, (name) => this.store.fetch(options.bucket, name, downloads));
    const hive = names.some((n) => /(^|\/)[^/=]+=[^/]*\//.test(n));
    const duck = await this.duck();
    return new Dataset(duck, `read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true, hive_partitioning = ${hive})`);
  }
}
