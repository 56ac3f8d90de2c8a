// The block API: `import { dataLoader, transformer, ... } from 'pipewright'` in a block file.
// Pipewright copies this file to .pipewright/types/ in a project, and the project's tsconfig.json maps
// the module name to it, so blocks get full IntelliSense without `npm install`.

declare module 'pipewright' {
  /** A row: column name to value. */
  export type Row = Record<string, unknown>;

  /** A column of a dataset, with its DuckDB type (BIGINT, DOUBLE, VARCHAR, TIMESTAMP, ...). */
  export interface Column {
    name: string;
    type: string;
  }

  /**
   * A table produced by a block, read only when asked. What blocks receive from upstream blocks
   * that returned rows, and what `readCsv` and `sql` return.
   */
  export interface Dataset {
    /** The block that produced it. */
    readonly block?: string;
    /** Number of rows. */
    count(): Promise<number>;
    /** Column names and types. */
    schema(): Promise<Column[]>;
    /** All rows (or the first `limit`) as objects. For large data prefer `batches()` or `sql()`. */
    rows(options?: { limit?: number }): Promise<Row[]>;
    /** Rows in batches, streamed, so memory stays bounded whatever the size. */
    batches(options?: { size?: number }): AsyncIterable<Row[]>;
    /** SQL over this dataset, which the query calls `data`: `trips.sql('SELECT ... FROM data')`. Runs in DuckDB. */
    sql(query: string): Dataset;
    /** The whole dataset as an Apache Arrow table (apache-arrow's `Table`). */
    arrow(): Promise<unknown>;
  }

  /** An Apache Arrow table (apache-arrow's `Table`), accepted as a block's output. */
  export interface ArrowTable {
    readonly schema: { fields: unknown[] };
    readonly batches: unknown[];
  }

  /**
   * What a block may return: rows, a dataset, an Arrow table, an async iterable of row batches
   * (streamed, for data larger than memory), any other JSON value, or nothing.
   */
  export type Output = Row[] | Dataset | ArrowTable | AsyncIterable<Row[] | Row> | unknown;

  /** An upstream block's output: a dataset when it returned a table, else the value it returned. */
  export type Input = Dataset;

  /** The run's variables, merged as Mage merges them, with Mage's names. */
  export interface Vars {
    /** The interval boundary this run is for, ISO 8601 (scheduled runs and backfills; now for manual runs). */
    execution_date: string;
    /** execution_date as YYYY-MM-DD. */
    ds: string;
    /** execution_date's hour, two digits. */
    hr: string;
    interval_start_datetime?: string;
    interval_end_datetime?: string;
    interval_seconds?: number;
    pipeline_uuid: string;
    block_uuid: string;
    /** dev for runs started by hand, prod for scheduled ones, as in Mage. */
    env: string;
    /** In one run of a block per item of a dynamic block: the item's index (as in Mage). */
    dynamic_block_index?: number;
    /** In one run of a block per item of a dynamic block: the run's name, `<uuid>:<index or metadata block_uuid>`. */
    dynamic_block_uuid?: string;
    /** In a conditional or callback: the block it runs for (for a dynamic child, `<uuid>:<key>`). */
    parent_block_uuid?: string;
    [name: string]: unknown;
  }

  /** Writes to the block's log, shown live in the terminal and kept with the run. */
  export interface Logger {
    debug(...values: unknown[]): void;
    info(...values: unknown[]): void;
    warn(...values: unknown[]): void;
    error(...values: unknown[]): void;
  }

  /** Options of `Postgres.export`. */
  export interface PostgresExportOptions {
    table: string;
    /** Default: the profile's POSTGRES_SCHEMA, else public. */
    schema?: string;
    /** What to do when the table exists (Mage's if_exists); default replace. */
    ifExists?: 'replace' | 'append' | 'fail';
    /** Columns that identify a row: an upsert, where rows whose key exists are updated or ignored. */
    uniqueConstraints?: string[];
    /** With uniqueConstraints: update the existing row (default) or keep it. */
    uniqueConflictMethod?: 'UPDATE' | 'IGNORE';
  }

  /** PostgreSQL through an io_config.yaml profile (the embedded server for PIPEWRIGHT_EMBEDDED profiles). */
  export interface Postgres {
    /**
     * Writes a dataset or rows to a table with COPY, creating the schema and table with types mapped
     * from the data. Atomic: a load that fails or is killed leaves the table as it was. Resolves to the
     * number of rows written.
     */
    export(data: Dataset | Row[] | AsyncIterable<Row[]>, options: PostgresExportOptions): Promise<number>;
    /**
     * A query's result as a dataset, streamed out with COPY (memory stays bounded whatever its size),
     * with column types from the result: `load('SELECT * FROM ny_taxi.yellow_cab_data')`.
     */
    load(sql: string): Promise<Dataset>;
    /** Runs a statement with $1, $2, ... parameters and returns its rows (for small results). */
    query(sql: string, params?: unknown[]): Promise<Row[]>;
  }

  /** Options of `Gcs.writeParquet`: one object, or objects under a prefix partitioned by columns. */
  export interface GcsWriteOptions {
    bucket: string;
    /** The object to write the whole dataset to, as `taxi/2021-01.parquet`. */
    object?: string;
    /** With partitionBy: the folder the partitions go under. */
    prefix?: string;
    /** Columns to partition by, in hive layout: `<prefix>/<column>=<value>/part-0.parquet`. */
    partitionBy?: string[];
  }

  /**
   * Cloud Storage through a profile (a folder per bucket in .pipewright/buckets/ for
   * PIPEWRIGHT_EMBEDDED profiles). Parquet is written with UTC microsecond timestamps, which
   * BigQuery reads as TIMESTAMP.
   */
  export interface Gcs {
    /** Writes parquet objects (uploads in parallel); a partition written replaces that partition's old objects. */
    writeParquet(data: Dataset | Row[] | AsyncIterable<Row[]>, options: GcsWriteOptions): Promise<{ objects: string[]; rows: number; bytes: number }>;
    /** One parquet object, or all under a prefix (hive partition folders become columns), as a dataset. */
    readParquet(options: { bucket: string; object?: string; prefix?: string }): Promise<Dataset>;
    /** The objects under a prefix. */
    list(options: { bucket: string; prefix?: string }): Promise<{ name: string; size: number }[]>;
  }

  /** Options of `BigQuery.export` and `BigQuery.loadParquet`. */
  export interface BigQueryTableOptions {
    dataset: string;
    table: string;
    /** Default replace (WRITE_TRUNCATE); append is WRITE_APPEND; fail is WRITE_EMPTY. */
    ifExists?: 'replace' | 'append' | 'fail';
    /** A DATE or TIMESTAMP column to partition the table by day. */
    partitionBy?: string;
    /** Up to four columns to cluster by. */
    clusterBy?: string[];
    /** Replace only this day's partition (YYYY-MM-DD), so re-running a day never duplicates it. */
    replacePartition?: string;
  }

  /** BigQuery through a profile (a DuckDB database in .pipewright/ for PIPEWRIGHT_EMBEDDED profiles). */
  export interface BigQuery {
    /** Writes a dataset or rows to a table with a load job; resolves to the rows written. */
    export(data: Dataset | Row[] | AsyncIterable<Row[]>, options: BigQueryTableOptions): Promise<number>;
    /** Loads parquet objects (gs:// URIs, `*` allowed) with a load job; hivePartitionPrefix reads partition folders back as columns. */
    loadParquet(options: BigQueryTableOptions & { uris: string[]; hivePartitionPrefix?: string }): Promise<number>;
    /** A query's result as a dataset, streamed. */
    query(sql: string): Promise<Dataset>;
    /** Checks a query without running it; resolves to the bytes it would process. */
    dryRun(sql: string): Promise<number>;
  }

  /** The connectors, each through an io_config.yaml profile (the run's profile when none is named). */
  export interface Io {
    postgres(profile?: string): Promise<Postgres>;
    gcs(profile?: string): Promise<Gcs>;
    bigquery(profile?: string): Promise<BigQuery>;
  }

  /** What every block receives last, after its upstream outputs. */
  export interface BlockContext {
    /** Connections to the systems of io_config.yaml. */
    io: Io;
    vars: Vars;
    log: Logger;
    runId: string;
    pipelineUuid: string;
    blockUuid: string;
    /** Aborted when the run is cancelled or the block times out: pass it to fetch and long loops. */
    signal: AbortSignal;
    /** The io_config.yaml profile the run uses (--profile). */
    profile: string;
    /** The settings of a profile, templates resolved (the run's profile when none is named). */
    config(profile?: string): Promise<Record<string, unknown>>;
    /** Reports progress for the live progress line. */
    progress(progress: { rows?: number; bytes?: number }): void;
  }

  type Awaitable<T> = T | Promise<T>;

  /** A block's code, as the default export of its file. */
  export interface BlockDefinition {
    readonly kind: string;
  }

  /** A check of the block's output, run after the block; a failing check fails the block. */
  export interface TestDefinition {
    readonly kind: 'test';
  }

  /** A block that loads data: `export default dataLoader(async (ctx) => rows)`. */
  export function dataLoader(run: (ctx: BlockContext) => Awaitable<Output>): BlockDefinition;
  export function dataLoader(run: (input1: Input, ctx: BlockContext) => Awaitable<Output>): BlockDefinition;
  export function dataLoader(run: (input1: Input, input2: Input, ctx: BlockContext) => Awaitable<Output>): BlockDefinition;

  /** A block that transforms its upstream outputs: `transformer(async (trips, ctx) => ...)`. */
  export function transformer(run: (input1: Input, ctx: BlockContext) => Awaitable<Output>): BlockDefinition;
  export function transformer(run: (input1: Input, input2: Input, ctx: BlockContext) => Awaitable<Output>): BlockDefinition;
  export function transformer(run: (input1: Input, input2: Input, input3: Input, ctx: BlockContext) => Awaitable<Output>): BlockDefinition;
  export function transformer(run: (ctx: BlockContext) => Awaitable<Output>): BlockDefinition;
  export function transformer(run: (...inputsThenContext: never[]) => Awaitable<Output>): BlockDefinition;

  /** A block that writes its upstream outputs somewhere. */
  export function dataExporter(run: (input1: Input, ctx: BlockContext) => Awaitable<Output | void>): BlockDefinition;
  export function dataExporter(run: (input1: Input, input2: Input, ctx: BlockContext) => Awaitable<Output | void>): BlockDefinition;
  export function dataExporter(run: (ctx: BlockContext) => Awaitable<Output | void>): BlockDefinition;
  export function dataExporter(run: (...inputsThenContext: never[]) => Awaitable<Output | void>): BlockDefinition;

  /** A block that does anything. */
  export function custom(run: (ctx: BlockContext) => Awaitable<Output | void>): BlockDefinition;
  export function custom(run: (input1: Input, ctx: BlockContext) => Awaitable<Output | void>): BlockDefinition;
  export function custom(run: (input1: Input, input2: Input, ctx: BlockContext) => Awaitable<Output | void>): BlockDefinition;
  export function custom(run: (...inputsThenContext: never[]) => Awaitable<Output | void>): BlockDefinition;

  /**
   * A block that waits: called until it returns true (every configuration.poke_interval seconds,
   * default 60), or until the block's timeout fails it.
   */
  export function sensor(run: (ctx: BlockContext) => Awaitable<boolean>): BlockDefinition;
  export function sensor(run: (input1: Input, ctx: BlockContext) => Awaitable<boolean>): BlockDefinition;

  /**
   * A conditional block (Mage's @condition), attached to the blocks listed in its upstream_blocks:
   * it receives the inputs of the block it guards and returns true to let it run, false to skip it
   * and every block downstream of it (recorded as condition_failed, not as a failure).
   */
  export function condition(run: (input1: Input, ctx: BlockContext) => Awaitable<boolean>): BlockDefinition;
  export function condition(run: (input1: Input, input2: Input, ctx: BlockContext) => Awaitable<boolean>): BlockDefinition;
  export function condition(run: (ctx: BlockContext) => Awaitable<boolean>): BlockDefinition;
  export function condition(run: (...inputsThenContext: never[]) => Awaitable<boolean>): BlockDefinition;

  /** The error a failed block gives its callbacks. */
  export interface BlockFailure extends Error {
    code?: string;
    file?: string;
    line?: number;
    col?: number;
  }

  /**
   * A callback block (Mage's @callback), run after each block listed in its upstream_blocks:
   * `onSuccess` with the block's output, `onFailure` with its error. A callback that throws is
   * logged and never changes the block's result. `ctx.vars.parent_block_uuid` names the block.
   */
  export function callback(handlers: {
    onSuccess?: (output: Input, ctx: BlockContext) => Awaitable<void>;
    onFailure?: (error: BlockFailure, ctx: BlockContext) => Awaitable<void>;
  }): BlockDefinition;

  /** A value, or a function of the run's context that gives it (for names that depend on the date). */
  export type PerRun<T> = T | ((ctx: BlockContext) => T);

  /** A ready-made sensor check, for `sensor(...)`. */
  export type SensorCheck = (...inputsThenContext: unknown[]) => Promise<boolean>;

  /** Ready-made sensor checks: `export default sensor(sensors.gcsObjectExists({ bucket, object }))`. */
  export const sensors: {
    /** True once the object exists in the bucket (through the run's profile, or `profile`). */
    gcsObjectExists(options: { bucket: PerRun<string>; object: PerRun<string>; profile?: string }): SensorCheck;
    /** True once the query returns at least one row on PostgreSQL or BigQuery. */
    queryReturnsRows(options: { provider: 'postgres' | 'bigquery'; sql: PerRun<string>; profile?: string }): SensorCheck;
    /** True once a whole run of another pipeline for this run's execution_date (or `executionDate`) has completed. */
    pipelineRunSucceeded(options: { pipeline: string; executionDate?: PerRun<string> }): SensorCheck;
  };

  /**
   * A check of the block's output (Mage's @test): `export const hasRows = test(async (out) => ...)`.
   * Throw (or fail an assertion) to fail the block.
   */
  export function test(check: (output: Input, ctx: BlockContext) => Awaitable<void>): TestDefinition;

  /** Options of `readCsv`. */
  export interface ReadCsvOptions {
    /** Column types, such as `{ VendorID: 'INTEGER', tpep_pickup_datetime: 'TIMESTAMP' }`; others are detected. */
    columns?: Record<string, string>;
    /** Field separator (default `,`). */
    delimiter?: string;
    /** Whether the first line names the columns (default true). */
    header?: boolean;
    signal?: AbortSignal;
    /** Retries of a download on transient failures (network errors, HTTP 429 and 5xx), with backoff; default 3. */
    retries?: number;
    /** `fail` (default): a row that does not parse fails the block, with its line; `skip`: such rows are left out, counted and reported. */
    badRows?: 'fail' | 'skip';
  }

  /** A CSV or CSV.gz file, local or over HTTP(S), as a dataset (read by DuckDB, streamed). */
  export function readCsv(location: string, options?: ReadCsvOptions): Promise<Dataset>;

  /** A parquet file (or glob of files) as a dataset. */
  export function readParquet(location: string): Promise<Dataset>;
}
