import type { DuckDBConnection } from '@duckdb/node-api';
import type { BigQuery } from '@google-cloud/bigquery';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backoffSeconds, sleep } from '../abortable-sleep.js';
import { onInterrupt } from '../interrupts.js';
import { Dataset } from '../data/dataset.js';
import { writeParquetFile, portableSelect } from '../data/parquet-write.js';
import { persistOutput } from '../data/persist.js';
import { parquetSource, sqlBody, sqlIdent, sqlString } from '../data/sql-text.js';
import { toDataset } from '../data/to-dataset.js';
import type { GoogleSettings } from './google-settings.js';
import type { LocalBucketStore } from './object-store.js';

/** What to do when the table exists (Mage's if_exists), as BigQuery's write disposition. */
export type IfExists = 'replace' | 'append' | 'fail';

/** Options of `export` and `loadParquet`. */
export interface BigQueryTableOptions {
  dataset: string;
  table: string;
  /** Default replace (WRITE_TRUNCATE); append is WRITE_APPEND, fail is WRITE_EMPTY. */
  ifExists?: IfExists;
  /** A DATE or TIMESTAMP column to partition the table by day. */
  partitionBy?: string;
  /** Up to four columns to cluster by. */
  clusterBy?: string[];
  /** Replace only this day's partition (YYYY-MM-DD) of a table partitioned by `partitionBy`; every row must fall in it. */
  replacePartition?: string;
}

/** Options of `loadParquet`. */
export interface BigQueryLoadOptions extends BigQueryTableOptions {
  /** gs:// URIs of parquet objects; `*` matches any characters (gs://bucket/prefix/*.parquet). */
  uris: string[];
  /** The folder above hive partition folders (gs://bucket/prefix), to read their columns back. */
  hivePartitionPrefix?: string;
}

/** BigQuery, or the embedded profile's DuckDB warehouse: load, export, query. */
export interface Warehouse {
  /** Whose SQL `query` runs: BigQuery's, or DuckDB's for the local warehouse (string literals differ). */
  readonly dialect: 'bigquery' | 'duckdb';
  /** Writes a dataset (or rows) to a table; resolves to the number of rows written. */
  export(data: unknown, options: BigQueryTableOptions): Promise<number>;
  /** Loads parquet objects from a bucket into a table; resolves to the number of rows loaded. */
  loadParquet(options: BigQueryLoadOptions): Promise<number>;
  /** A query's result as a dataset (streamed to parquet, whatever its size). */
  query(sql: string): Promise<Dataset>;
  /** Checks a query without running it; resolves to the bytes it would process. */
  dryRun(sql: string): Promise<number>;
}

const WRITE_DISPOSITION: Record<IfExists, string> = { replace: 'WRITE_TRUNCATE', append: 'WRITE_APPEND', fail: 'WRITE_EMPTY' };

function checkName(kind: string, name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/.test(name)) throw new Error(`"${name}" is not a valid BigQuery ${kind} name: use letters, digits and underscores`);
}

function checkOptions(options: BigQueryTableOptions): void {
  checkName('dataset', options.dataset);
  checkName('table', options.table);
  if (options.replacePartition !== undefined) {
    if (!options.partitionBy) throw new Error('replacePartition needs partitionBy: the DATE or TIMESTAMP column the table is partitioned by');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(options.replacePartition)) throw new Error(`replacePartition must be a day as YYYY-MM-DD, not "${options.replacePartition}"`);
  }
}

function parseGsUri(uri: string): { bucket: string; name: string } {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`"${uri}" is not a gs:// URI (gs://bucket/path/file.parquet)`);
  return { bucket: match[1], name: match[2] };
}

/** BigQuery's backquoted names (`project.dataset.table`, `dataset.table`) as DuckDB identifiers. */
export function duckSqlFromBigQuery(sql: string): string {
  return sql.replace(/`([^`]+)`/g, (_all, name: string) => {
    const parts = name.split('.');
    return (parts.length === 3 ? parts.slice(1) : parts).map(sqlIdent).join('.');
  });
}

const LOCK_WAIT_MS = 60_000;

/**
 * The embedded profile's warehouse: a DuckDB database file in .pipewright/, with BigQuery's datasets
 * as schemas. It is attached to the block's DuckDB only while an operation runs, so runs in other
 * processes (a backfill with --concurrency) take turns on it.
 */
export class LocalWarehouse implements Warehouse {
  readonly dialect = 'duckdb';

  constructor(
    private readonly file: string,
    private readonly bucket: LocalBucketStore,
    private readonly duck: () => Promise<DuckDBConnection>,
    private readonly workDir: string,
    private readonly signal?: AbortSignal,
    /** Takes the process-wide warehouse lock (other threads' DuckDB does not see this one's file lock); resolves to its release. */
    private readonly lock: () => Promise<() => Promise<void>> = async () => async () => undefined,
  ) {}

  private async attached<T>(body: (duck: DuckDBConnection) => Promise<T>): Promise<T> {
    const release = await this.lock();
    try {
      return await this.attachedLocked(body);
    } finally {
      await release();
    }
  }

  private async attachedLocked<T>(body: (duck: DuckDBConnection) => Promise<T>): Promise<T> {
    const duck = await this.duck();
    mkdirSync(dirname(this.file), { recursive: true });
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const failure = await duck.run(`ATTACH ${sqlString(this.file)} AS pw_warehouse`).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      if (!failure) break;
      const busy = /lock|Conflicting/i.test(failure.message);
      if (!busy || Date.now() - started > LOCK_WAIT_MS) {
        throw new Error(`Cannot open the local warehouse ${this.file}: ${failure.message}${busy ? ' (another run holds it; it is free again when that run ends)' : ''}`, {
          cause: failure,
        });
      }
      await sleep(backoffSeconds(attempt + 1, { first: 0.05, max: 2 }), this.signal ?? new AbortController().signal);
      if (this.signal?.aborted) throw new Error('Cancelled while waiting for the local warehouse', { cause: failure });
    }
    try {
      return await body(duck);
    } finally {
      await duck.run('USE memory').catch(() => undefined);
      await duck.run('DETACH pw_warehouse');
    }
  }

  private async tableExists(duck: DuckDBConnection, dataset: string, table: string): Promise<boolean> {
    const found = await duck.runAndReadAll(
      `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = 'pw_warehouse' AND schema_name = ${sqlString(dataset)} AND table_name = ${sqlString(table)}`,
    );
    return Number(found.getRowObjectsJS()[0].n) > 0;
  }

  private async write(source: Dataset, options: BigQueryTableOptions): Promise<number> {
    checkOptions(options);
    return this.attached(async (duck) => {
      const qualified = `pw_warehouse.${sqlIdent(options.dataset)}.${sqlIdent(options.table)}`;
      const select = await portableSelect(duck, source);
      const rows = Number((await duck.runAndReadAll(`SELECT count(*) AS n FROM ${source.source}`)).getRowObjectsJS()[0].n);
      await duck.run(`CREATE SCHEMA IF NOT EXISTS pw_warehouse.${sqlIdent(options.dataset)}`);
      const exists = await this.tableExists(duck, options.dataset, options.table);
      const ifExists = options.ifExists ?? 'replace';
      if (options.replacePartition) {
        const column = sqlIdent(options.partitionBy!);
        const outside = Number(
          (
            await duck.runAndReadAll(`SELECT count(*) AS n FROM (${select}) WHERE CAST(${column} AS DATE) IS DISTINCT FROM DATE ${sqlString(options.replacePartition)}`)
          ).getRowObjectsJS()[0].n,
        );
        if (outside > 0)
          throw new Error(`${outside} of ${rows} rows have ${options.partitionBy} outside the partition ${options.replacePartition} being replaced: filter them out first`);
        await duck.run('BEGIN TRANSACTION');
        try {
          if (!exists) await duck.run(`CREATE TABLE ${qualified} AS ${select} LIMIT 0`);
          await duck.run(`DELETE FROM ${qualified} WHERE CAST(${column} AS DATE) = DATE ${sqlString(options.replacePartition)}`);
          await duck.run(`INSERT INTO ${qualified} BY NAME ${select}`);
          await duck.run('COMMIT');
        } catch (error) {
          await duck.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
        return rows;
      }
      if (exists && ifExists === 'fail') throw new Error(`Table ${options.dataset}.${options.table} already exists and ifExists is "fail": use replace or append`);
      if (!exists || ifExists === 'replace') await duck.run(`CREATE OR REPLACE TABLE ${qualified} AS ${select}`);
      else await duck.run(`INSERT INTO ${qualified} BY NAME ${select}`);
      return rows;
    });
  }

  async export(data: unknown, options: BigQueryTableOptions): Promise<number> {
    const duck = await this.duck();
    const dir = join(this.workDir, `warehouse-export-${Date.now()}`);
    try {
      return await this.write(await toDataset(data, duck, dir, 'bigquery.export'), options);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async loadParquet(options: BigQueryLoadOptions): Promise<number> {
    const paths = options.uris.map((uri) => {
      const { bucket, name } = parseGsUri(uri);
      // BigQuery's * matches across folders; DuckDB's needs ** for that.
      return this.bucket.describe(bucket, name.replace('*', '**/*'));
    });
    for (const path of paths) if (!path.includes('*') && !existsSync(path)) throw new Error(`Not found: ${path} (the local bucket's copy of ${options.uris[paths.indexOf(path)]})`);
    const hive = options.hivePartitionPrefix !== undefined;
    return this.write(new Dataset(await this.duck(), `read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true, hive_partitioning = ${hive})`), options);
  }

  async query(sql: string): Promise<Dataset> {
    const dir = join(this.workDir, `warehouse-query-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'result.parquet');
    await this.attached(async (duck) => {
      await duck.run('USE pw_warehouse');
      await duck.run(`COPY (${sqlBody(duckSqlFromBigQuery(sql))}\n) TO ${sqlString(file)} (FORMAT parquet)`);
    });
    return new Dataset(await this.duck(), parquetSource([file]));
  }

  async dryRun(sql: string): Promise<number> {
    await this.attached(async (duck) => {
      await duck.run('USE pw_warehouse');
      await duck.run(`EXPLAIN ${sqlBody(duckSqlFromBigQuery(sql))}`);
    });
    return 0;
  }
}

/** A value from @google-cloud/bigquery's decoded rows as a plain one (timestamps as Date, dates as text). */
function plainBigQueryValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value)) return value;
  const name = value.constructor?.name;
  if (name === 'BigQueryTimestamp') return new Date((value as { value: string }).value);
  if (name === 'BigQueryDate' || name === 'BigQueryDatetime' || name === 'BigQueryTime') return (value as { value: string }).value;
  if (name === 'Big') return Number(String(value));
  if (name === 'BigQueryInt') return BigInt((value as { value: string }).value);
  if (Array.isArray(value)) return JSON.stringify(value);
  return JSON.stringify(value);
}

/** BigQuery through @google-cloud/bigquery: load jobs from files and gs:// URIs, queries streamed into datasets. */
export class RemoteBigQuery implements Warehouse {
  readonly dialect = 'bigquery';

  private client: Promise<BigQuery> | undefined;

  constructor(
    private readonly settings: GoogleSettings,
    private readonly duck: () => Promise<DuckDBConnection>,
    private readonly workDir: string,
  ) {}

  /** The client from the profile; with a local apiEndpoint and no key, a static token so no Google sign-in is tried. */
  bigquery(): Promise<BigQuery> {
    this.client ??= (async () => {
      const { BigQuery } = await import('@google-cloud/bigquery');
      const s = this.settings;
      let authClient: unknown;
      if (s.bigqueryEndpoint && !s.credentials && !s.keyFilename) {
        const { OAuth2Client } = await import('google-auth-library');
        const client = new OAuth2Client();
        client.setCredentials({ access_token: 'pipewright-local', expiry_date: Date.now() + 24 * 3600e3 });
        authClient = client;
      }
      return new BigQuery({
        ...(s.projectId ? { projectId: s.projectId } : {}),
        location: s.location,
        ...(s.credentials ? { credentials: s.credentials as { client_email: string; private_key: string } } : {}),
        ...(s.keyFilename ? { keyFilename: s.keyFilename } : {}),
        ...(s.bigqueryEndpoint ? { apiEndpoint: s.bigqueryEndpoint } : {}),
        ...(authClient ? { authClient: authClient as never } : {}),
      });
    })();
    return this.client;
  }

  private loadConfiguration(options: BigQueryTableOptions): Record<string, unknown> {
    checkOptions(options);
    return {
      sourceFormat: 'PARQUET',
      writeDisposition: options.replacePartition ? 'WRITE_TRUNCATE' : WRITE_DISPOSITION[options.ifExists ?? 'replace'],
      createDisposition: 'CREATE_IF_NEEDED',
      parquetOptions: { enableListInference: true },
      ...(options.partitionBy ? { timePartitioning: { type: 'DAY', field: options.partitionBy } } : {}),
      ...(options.clusterBy?.length ? { clustering: { fields: options.clusterBy } } : {}),
    };
  }

  private tableId(options: BigQueryTableOptions): string {
    return options.replacePartition ? `${options.table}$${options.replacePartition.replace(/-/g, '')}` : options.table;
  }

  private async ensureDataset(name: string): Promise<void> {
    const bigquery = await this.bigquery();
    await bigquery.dataset(name, { location: this.settings.location }).get({ autoCreate: true });
  }

  async export(data: unknown, options: BigQueryTableOptions): Promise<number> {
    const configuration = this.loadConfiguration(options);
    const duck = await this.duck();
    const dir = join(this.workDir, `bigquery-export-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    try {
      const dataset = await toDataset(data, duck, dir, 'bigquery.export');
      const file = join(dir, 'data.parquet');
      await writeParquetFile(duck, dataset, file);
      await this.ensureDataset(options.dataset);
      const bigquery = await this.bigquery();
      const [job] = await bigquery.dataset(options.dataset).table(this.tableId(options)).load(file, configuration);
      return Number(job.statistics?.load?.outputRows ?? 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async loadParquet(options: BigQueryLoadOptions): Promise<number> {
    const configuration = this.loadConfiguration(options);
    for (const uri of options.uris) parseGsUri(uri);
    await this.ensureDataset(options.dataset);
    const bigquery = await this.bigquery();
    const [job] = await bigquery.createJob({
      configuration: {
        load: {
          ...configuration,
          sourceUris: options.uris,
          destinationTable: { projectId: bigquery.projectId, datasetId: options.dataset, tableId: this.tableId(options) },
          ...(options.hivePartitionPrefix ? { hivePartitioningOptions: { mode: 'AUTO', sourceUriPrefix: options.hivePartitionPrefix.replace(/\/?$/, '/') } } : {}),
        },
      },
    } as never);
    const unregister = onInterrupt(() => job.cancel());
    const [metadata] = await job
      .promise()
      .then(() => job.getMetadata())
      .finally(unregister);
    return Number((metadata as { statistics?: { load?: { outputRows?: string } } }).statistics?.load?.outputRows ?? 0);
  }

  async query(sql: string): Promise<Dataset> {
    const bigquery = await this.bigquery();
    const [job] = await bigquery.createQueryJob({ query: sql, location: this.settings.location });
    // A job goes on in BigQuery when the block is stopped (and bills): cancel it then.
    const unregister = onInterrupt(() => job.cancel());
    const stream = job.getQueryResultsStream();
    async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
      let batch: Record<string, unknown>[] = [];
      for await (const row of stream as AsyncIterable<Record<string, unknown>>) {
        for (const key of Object.keys(row)) row[key] = plainBigQueryValue(row[key]);
        batch.push(row);
        if (batch.length >= 10_000) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    }
    const duck = await this.duck();
    const stored = await persistOutput(duck, batches(), { dir: join(this.workDir, `bigquery-query-${Date.now()}`) }).finally(unregister);
    return new Dataset(duck, stored.kind === 'table' ? parquetSource(stored.files) : '(SELECT NULL AS empty WHERE false)');
  }

  async dryRun(sql: string): Promise<number> {
    const bigquery = await this.bigquery();
    const [job] = await bigquery.createQueryJob({ query: sql, location: this.settings.location, dryRun: true });
    return Number(job.metadata?.statistics?.totalBytesProcessed ?? 0);
  }
}
