import type { DuckDBConnection } from '@duckdb/node-api';
import type { EmbeddedPostgres } from '../connectors/embedded-postgres.js';
import { PostgresIo, type PostgresExportOptions } from '../connectors/postgres.js';
import { isEmbeddedProfile, postgresFor } from '../connectors/postgres-settings.js';
import { Dataset } from '../data/dataset.js';
import { parquetSource, sqlString } from '../data/sql-text.js';
import { profileOf } from '../project/read-profile.js';
import type { BlockTask } from '../protocol.js';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BigQueryTableOptions } from '../connectors/bigquery.js';
import { embeddedPaths, objectStoreFor, warehouseFor } from '../connectors/google-io.js';
import { acquireLock, releaseLock } from './process-locks.js';

/** What a Python block asks of the runtime through the mage_ai stand-in (python/mage_ai/io/); data travels as parquet files. */
export type PythonRequest =
  | ({ service: 'postgres.export'; profile: string; file: string } & Pick<PostgresExportOptions, 'table' | 'schema' | 'ifExists' | 'uniqueConstraints' | 'uniqueConflictMethod'>)
  | { service: 'postgres.load'; profile: string; query: string; file: string }
  | { service: 'postgres.execute'; profile: string; query: string }
  | { service: 'gcs.put'; profile: string; file: string; bucket: string; object: string }
  | { service: 'gcs.fetch'; profile: string; bucket: string; object: string }
  | { service: 'gcs.list'; profile: string; bucket: string; prefix: string }
  | ({ service: 'bigquery.export'; profile: string; file: string } & Pick<BigQueryTableOptions, 'dataset' | 'table' | 'ifExists'>)
  | { service: 'bigquery.load'; profile: string; query: string; file: string }
  /** mage_ai's trigger_pipeline: a run of another pipeline of the project, waited for or not. */
  | { service: 'pipeline.trigger'; pipeline: string; variables: Record<string, unknown>; wait: boolean }
  /** Where pyarrow's GcsFileSystem() writes for this profile: the local bucket folders of an embedded one. */
  | { service: 'gcs.filesystem'; profile: string }
  /** A profile's resolved settings (mage_ai's ConfigFileLoader), or the error using it gives. */
  | { service: 'config.profile'; profile: string };

/** What the services need from the run: its embedded PostgreSQL, a DuckDB connection to read and write parquet. */
export interface ServiceContext {
  embedded: () => EmbeddedPostgres;
  duck: () => Promise<DuckDBConnection>;
}

/**
 * Answers a Python block's request with the runtime's own connectors, so a Python block gets the
 * binary COPY, the atomic replace, upserts, the embedded profile and redaction as TypeScript blocks do.
 */
export async function answerPython(task: BlockTask, request: PythonRequest, ctx: ServiceContext): Promise<unknown> {
  if (request.service === 'pipeline.trigger') return triggerPipeline(task, request);
  if (request.service === 'config.profile') return profileOf(task.settings, request.profile);
  if (request.service.startsWith('gcs.') || request.service.startsWith('bigquery.')) return answerGoogle(task, request, ctx);
  const io = await postgresIo(task, request.profile, ctx);
  if (request.service === 'postgres.export') {
    const { table, schema, ifExists, uniqueConstraints, uniqueConflictMethod } = request;
    const data = new Dataset(await ctx.duck(), parquetSource([request.file]));
    return io.export(data, { table, schema, ifExists, uniqueConstraints, uniqueConflictMethod });
  }
  if (request.service === 'postgres.load') {
    await writeParquet(ctx, await io.load(request.query), request.file);
    return null;
  }
  if (request.service === 'postgres.execute') {
    await io.query(request.query);
    return null;
  }
  throw new Error(`Unknown request ${String((request as { service?: unknown }).service)} from a Python block`);
}

/** Cloud Storage (objects as files: the Python side reads and writes their formats) and BigQuery, or the embedded profile's local bucket and warehouse. */
async function answerGoogle(task: BlockTask, request: Exclude<PythonRequest, { service: 'pipeline.trigger' | 'config.profile' }>, ctx: ServiceContext): Promise<unknown> {
  const settings = profileOf(task.settings, request.profile);
  if (request.service === 'gcs.filesystem') {
    if (isEmbeddedProfile(settings)) return { local: embeddedPaths(task.projectRoot).buckets };
    // Another Cloud Storage endpoint (a local server speaking its JSON API): pyarrow's client goes there too.
    const endpoint = settings.GOOGLE_STORAGE_API_ENDPOINT;
    return typeof endpoint === 'string' && endpoint ? { endpoint } : { remote: true };
  }
  if (request.service === 'gcs.put') return void (await objectStoreFor(task.projectRoot, request.profile, settings).put(request.file, request.bucket, request.object));
  if (request.service === 'gcs.list') return (await objectStoreFor(task.projectRoot, request.profile, settings).list(request.bucket, request.prefix)).map((o) => o.name);
  if (request.service === 'gcs.fetch') {
    const store = objectStoreFor(task.projectRoot, request.profile, settings);
    // Mage's load of a missing object gives an empty DataFrame.
    if ((await store.list(request.bucket, request.object)).every((o) => o.name !== request.object)) return null;
    return store.fetch(request.bucket, request.object, join(task.workDir, 'gcs-read'));
  }
  const owner = {};
  const warehouse = warehouseFor(
    {
      projectRoot: task.projectRoot,
      duck: ctx.duck,
      workDir: task.workDir,
      warehouseLock: async () => {
        await acquireLock('warehouse', owner);
        return async () => releaseLock('warehouse', owner);
      },
    },
    request.profile,
    settings,
  );
  if (request.service === 'bigquery.export') {
    const { dataset, table, ifExists } = request;
    return warehouse.export(new Dataset(await ctx.duck(), parquetSource([request.file])), { dataset, table, ifExists });
  }
  if (request.service === 'bigquery.load') {
    await writeParquet(ctx, await warehouse.query(request.query), request.file);
    return null;
  }
  throw new Error(`Unknown request ${request.service} from a Python block`);
}

/**
 * Starts `pipewright run <pipeline>` for a block's trigger_pipeline: its own process, in the history
 * like any run; waited for (its status returned) or left to run on after the block.
 */
function triggerPipeline(task: BlockTask, request: Extract<PythonRequest, { service: 'pipeline.trigger' }>): Promise<unknown> {
  const cli = typeof __dirname === 'string' ? join(__dirname, 'cli.js') : process.argv[1];
  const args = [cli, 'run', request.pipeline, '--vars', JSON.stringify(request.variables ?? {})];
  // Not tied to this run's launcher: a run left to go on outlives it.
  const env = { ...process.env };
  delete env.PIPEWRIGHT_LAUNCHER_PID;
  const child = spawn(process.execPath, args, { cwd: task.projectRoot, stdio: 'ignore', detached: !request.wait, env });
  if (!request.wait) {
    child.unref();
    return Promise.resolve({ status: 'running' });
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve({ status: code === 0 ? 'completed' : 'failed' }));
  });
}

async function postgresIo(task: BlockTask, profile: string, ctx: ServiceContext): Promise<PostgresIo> {
  const connection = await postgresFor(profile, profileOf(task.settings, profile), () => ctx.embedded().ensure());
  return new PostgresIo(connection, ctx.duck, task.workDir);
}

/** A query's result written as the parquet file the Python side reads back. */
async function writeParquet(ctx: ServiceContext, result: Dataset, file: string): Promise<void> {
  await (await ctx.duck()).run(`COPY (SELECT * FROM ${result.source}) TO ${sqlString(file)} (FORMAT parquet)`);
}
