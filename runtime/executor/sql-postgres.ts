import type { PostgresSettings } from '../connectors/embedded-postgres.js';
import { PostgresIo } from '../connectors/postgres.js';
import { checkPgName, pgIdent, shortPgName } from '../connectors/postgres-types.js';
import { persistOutput } from '../data/persist.js';
import type { StoredOutput } from '../protocol.js';
import { configText, providerSql, providerTarget, SqlBlockError, type ProviderSqlOptions } from './sql-block.js';

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
  const body = await providerSql(options, {
    dialect: 'postgres',
    // Long pipeline and block names get a hash instead of being cut, so two uploads never meet.
    tableName: shortPgName,
    upload: async (uploaded, data) => void (await io.export(data, { schema, table: uploaded, ifExists: 'replace' })),
    qualified: (uploaded) => `${pgIdent(schema)}.${pgIdent(uploaded)}`,
  });
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
