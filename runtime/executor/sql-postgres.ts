import { readFileSync } from 'node:fs';
import type { PostgresSettings } from '../connectors/embedded-postgres.js';
import { PostgresIo } from '../connectors/postgres.js';
import { checkPgName, pgIdent, shortPgName } from '../connectors/postgres-types.js';
import { Dataset } from '../data/dataset.js';
import { persistOutput } from '../data/persist.js';
import { parquetSource, sqlBody } from '../data/sql-text.js';
import type { StoredOutput } from '../protocol.js';
import { TemplateValueError } from '../template/template.js';
import { renderSql } from './sql-template.js';
import { configText, providerTarget, SqlBlockError, sqlPosition, type ProviderSqlOptions } from './sql-block.js';

/** What a SQL block on PostgreSQL needs. */
export interface PostgresSqlOptions extends ProviderSqlOptions {
  workDir: string;
  settings: PostgresSettings;
}


/**
 * A SQL block with `data_provider: postgres`, as Mage runs it: upstream outputs are loaded as tables
 * (`{{ df_1 }}` names the first), and unless `use_raw_sql` is set, the query's result is written to
 * `data_provider_schema`.`data_provider_table` (default `<pipeline>_<block>`) by `export_write_policy`,
 * and read back as the block's output.
 */
export async function runSqlOnPostgres(options: PostgresSqlOptions): Promise<StoredOutput> {
  const config = options.configuration;
  const schema = configText(config.data_provider_schema) ?? options.settings.schema;
  const { table, policy } = providerTarget(options);
  try {
    checkPgName(schema, 'Schema (data_provider_schema)');
    if (config.use_raw_sql !== true) checkPgName(table, 'Table (data_provider_table)');
  } catch (error) {
    throw new SqlBlockError({ code: 'runtime', message: (error as Error).message, file: options.file });
  }
  const io = new PostgresIo(options.settings, options.duck, options.workDir);
  const upstreamTables: string[] = [];
  for (const input of options.inputs) {
    // Long pipeline and block names get a hash instead of being cut, so two uploads never meet.
    const uploaded = shortPgName(`${options.pipeline}_${input.uuid}`.replace(/[^A-Za-z0-9_]/g, '_'));
    if (input.output.kind === 'table') {
      const duck = await options.duck();
      await io.export(new Dataset(duck, parquetSource(input.output.files)), { schema, table: uploaded, ifExists: 'replace' });
    }
    upstreamTables.push(`${pgIdent(schema)}.${pgIdent(uploaded)}`);
  }
  const source = readFileSync(options.file, 'utf8');
  let sql: string;
  try {
    // {{ df_N }} and {{ <uuid> }} name the uploaded tables here, not DuckDB views.
    sql = renderSql(source, { upstream: options.inputs.map((i) => i.uuid), variables: options.variables, env: options.env, upstreamName: (i) => upstreamTables[i], dialect: 'postgres' });
  } catch (error) {
    if (!(error instanceof TemplateValueError)) throw error;
    throw new SqlBlockError({ code: 'runtime', message: error.message, file: options.file, ...sqlPosition(source, error.offset) });
  }
  const body = sqlBody(sql);
  if (config.use_raw_sql === true) {
    await io.query(body);
    return persistOutput(undefined, undefined, { dir: options.outputDir });
  }
  const qualified = `${pgIdent(schema)}.${pgIdent(table)}`;
  const exists = (await io.query('SELECT to_regclass($1) IS NOT NULL AS found', [qualified]))[0].found === true;
  if (exists && policy === 'fail') throw new SqlBlockError({ code: 'runtime', message: `Table ${schema}.${table} exists and export_write_policy is fail`, file: options.file });
  try {
    if (!exists || policy === 'replace') {
      await io.query(`BEGIN; CREATE SCHEMA IF NOT EXISTS ${pgIdent(schema)}; DROP TABLE IF EXISTS ${qualified}; CREATE TABLE ${qualified} AS ${body}\n; COMMIT`);
    } else {
      await io.query(`INSERT INTO ${qualified} ${body}\n`);
    }
  } catch (error) {
    throw new SqlBlockError({ code: 'runtime', message: `The query failed on PostgreSQL: ${(error as Error).message}`, file: options.file });
  }
  // The result comes back through COPY with its own column types, then DuckDB keeps it as the block's output.
  const duck = await options.duck();
  const result = await io.load(`SELECT * FROM ${qualified}`);
  return persistOutput(duck, result, { dir: options.outputDir });
}
