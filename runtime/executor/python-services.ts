import type { DuckDBConnection } from '@duckdb/node-api';
import type { EmbeddedPostgres } from '../connectors/embedded-postgres.js';
import { PostgresIo, type PostgresExportOptions } from '../connectors/postgres.js';
import { isEmbeddedProfile, postgresSettingsOf } from '../connectors/postgres-settings.js';
import { Dataset } from '../data/dataset.js';
import { parquetSource, sqlString } from '../data/sql-text.js';
import { profileOf } from '../project/read-profile.js';
import type { BlockTask } from '../protocol.js';

/** What a Python block asks of the runtime through the mage_ai stand-in (python/mage_ai/io/); data travels as parquet files. */
export type PythonRequest =
  | ({ service: 'postgres.export'; profile: string; file: string } & Pick<PostgresExportOptions, 'table' | 'schema' | 'ifExists' | 'uniqueConstraints' | 'uniqueConflictMethod'>)
  | { service: 'postgres.load'; profile: string; query: string; file: string }
  | { service: 'postgres.execute'; profile: string; query: string };

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
  const io = await postgresFor(task, request.profile, ctx);
  if (request.service === 'postgres.export') {
    const { table, schema, ifExists, uniqueConstraints, uniqueConflictMethod } = request;
    const data = new Dataset(await ctx.duck(), parquetSource([request.file]));
    return io.export(data, { table, schema, ifExists, uniqueConstraints, uniqueConflictMethod });
  }
  if (request.service === 'postgres.load') {
    const result = await io.load(request.query);
    await (await ctx.duck()).run(`COPY (SELECT * FROM ${result.source}) TO ${sqlString(request.file)} (FORMAT parquet)`);
    return null;
  }
  if (request.service === 'postgres.execute') {
    await io.query(request.query);
    return null;
  }
  throw new Error(`Unknown request ${String((request as { service?: unknown }).service)} from a Python block`);
}

async function postgresFor(task: BlockTask, profile: string, ctx: ServiceContext): Promise<PostgresIo> {
  const settings = profileOf(task.settings, profile);
  const connection = isEmbeddedProfile(settings)
    ? { ...(await ctx.embedded().ensure()), ...(settings.POSTGRES_SCHEMA ? { schema: String(settings.POSTGRES_SCHEMA) } : {}) }
    : postgresSettingsOf(profile, settings);
  return new PostgresIo(connection, ctx.duck, task.workDir);
}
