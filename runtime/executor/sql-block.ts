import type { DuckDBConnection } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { Dataset } from '../data/dataset.js';
import { parquetSource, sqlBody, sqlString, sqlIdent } from '../data/sql-text.js';
import { persistOutput } from '../data/persist.js';
import type { BlockError, StoredOutput } from '../protocol.js';
import { TemplateValueError } from '../template/template.js';
import { upstreamView } from '../template/names.js';
import { renderSql, type SqlTemplateContext } from './sql-template.js';

/** What a SQL block run on a data provider (PostgreSQL, BigQuery) needs, whichever it is. */
export interface ProviderSqlOptions {
  file: string;
  pipeline: string;
  block: string;
  configuration: Record<string, unknown>;
  inputs: { uuid: string; output: StoredOutput }[];
  variables: Record<string, unknown>;
  env: (name: string) => string | undefined;
  outputDir: string;
  duck: () => Promise<DuckDBConnection>;
}

/** A configuration value as text, or undefined when it is missing or blank. */
export function configText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A table name made of a pipeline's and a block's names (any character outside [A-Za-z0-9_] becomes _). */
function tableOf(pipeline: string, block: string): string {
  return `${pipeline}_${block}`.replace(/[^A-Za-z0-9_]/g, '_');
}

const WRITE_POLICIES = ['append', 'replace', 'fail'] as const;

/** Where a provider SQL block writes its result, and how (Mage's data_provider_table, export_write_policy). */
export function providerTarget(options: ProviderSqlOptions): { table: string; policy: (typeof WRITE_POLICIES)[number] } {
  const policy = configText(options.configuration.export_write_policy) ?? 'append';
  if (!(WRITE_POLICIES as readonly string[]).includes(policy)) {
    throw new SqlBlockError({
      code: 'runtime',
      message: `export_write_policy must be append, replace or fail, not "${policy}": fix it in the block's configuration in metadata.yaml`,
      file: options.file,
    });
  }
  return { table: configText(options.configuration.data_provider_table) ?? tableOf(options.pipeline, options.block), policy: policy as (typeof WRITE_POLICIES)[number] };
}

/** A data provider's side of a SQL block: how it names, loads and quotes the upstream tables. */
export interface SqlProvider {
  dialect: NonNullable<SqlTemplateContext['dialect']>;
  /** The provider's form of a table name (PostgreSQL's are at most 63 bytes). */
  tableName: (name: string) => string;
  upload: (table: string, data: Dataset) => Promise<void>;
  /** The table's name in the block's SQL. */
  qualified: (table: string) => string;
}

/**
 * Loads a SQL block's upstream outputs into its provider as tables (`<pipeline>_<upstream block>`)
 * and renders its SQL with their names: what PostgreSQL and BigQuery blocks share.
 */
export async function providerSql(options: ProviderSqlOptions, provider: SqlProvider): Promise<string> {
  const names: string[] = [];
  for (const input of options.inputs) {
    const table = provider.tableName(tableOf(options.pipeline, input.uuid));
    if (input.output.kind === 'table') await provider.upload(table, new Dataset(await options.duck(), parquetSource(input.output.files)));
    names.push(provider.qualified(table));
  }
  return renderBlockSql(options.file, {
    upstream: options.inputs.map((i) => i.uuid),
    variables: options.variables,
    env: options.env,
    upstreamName: (i) => names[i],
    dialect: provider.dialect,
  });
}

/** A SQL block's file rendered, without its trailing semicolons and comments; a bad template value is an error at its place. */
export function renderBlockSql(file: string, context: SqlTemplateContext): string {
  const source = readFileSync(file, 'utf8');
  try {
    return sqlBody(renderSql(source, context));
  } catch (error) {
    if (!(error instanceof TemplateValueError)) throw error;
    throw new SqlBlockError({ code: 'runtime', message: error.message, file, ...sqlPosition(source, error.offset) });
  }
}

/** A SQL block's failure, with its place in the .sql file. */
export class SqlBlockError extends Error {
  constructor(readonly detail: BlockError) {
    super(detail.message);
  }
}

const QUERY_START = /^(select|with|from|values|table|pivot|unpivot|describe|show|summarize|\()/i;

function stripLeadingComments(sql: string): string {
  return sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '');
}

/** The 1-based line and column of an offset in a SQL file. */
export function sqlPosition(sql: string, offset: number): { line: number; col: number } {
  const before = sql.slice(0, offset);
  return { line: before.split('\n').length, col: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/**
 * Runs a SQL block on DuckDB: upstream outputs are views (`df_1`, ...), the template is rendered,
 * and the result of the query is persisted as the block's output without passing through JavaScript.
 */
export async function runSqlBlock(
  connection: DuckDBConnection,
  options: {
    file: string;
    inputs: { uuid: string; output: StoredOutput }[];
    variables: Record<string, unknown>;
    env: (name: string) => string | undefined;
    outputDir: string;
  },
): Promise<StoredOutput> {
  const body = renderBlockSql(options.file, { upstream: options.inputs.map((i) => i.uuid), variables: options.variables, env: options.env });
  for (const [index, input] of options.inputs.entries()) {
    // A JSON value (such as one item of a dynamic block) reads as a table too: an object's keys are
    // columns, a list's objects rows, and any other value one row of a column named json.
    const from =
      input.output.kind === 'table' ? parquetSource(input.output.files) : input.output.kind === 'json' ? `read_json_auto(${sqlString(input.output.files[0])})` : undefined;
    if (from) await connection.run(`CREATE OR REPLACE VIEW ${sqlIdent(upstreamView(index))} AS SELECT * FROM ${from}`);
  }
  try {
    const statements = await connection.extractStatements(body);
    if (statements.count === 1 && QUERY_START.test(stripLeadingComments(body))) {
      return await persistOutput(connection, new Dataset(connection, `(${body}\n)`), { dir: options.outputDir });
    }
    const result = await connection.run(body);
    const rows = result.columnCount > 0 ? await result.getRowObjectsJS() : undefined;
    return await persistOutput(connection, rows && rows.length > 0 ? rows : undefined, { dir: options.outputDir });
  } catch (error) {
    throw new SqlBlockError({ code: 'runtime', message: `The query failed: ${(error as Error).message}`, file: options.file });
  }
}
