import type { DuckDBConnection } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { Dataset } from '../data/dataset.js';
import { parquetSource, sqlBody, sqlString, sqlIdent } from '../data/sql-text.js';
import { persistOutput } from '../data/persist.js';
import type { BlockError, StoredOutput } from '../protocol.js';
import { TemplateValueError } from '../template/template.js';
import { upstreamView } from '../template/names.js';
import { renderSql } from './sql-template.js';

/** A SQL block's failure, with its place in the .sql file. */
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

/** Where a provider SQL block writes its result, and how (Mage's data_provider_table, export_write_policy). */
export function providerTarget(options: ProviderSqlOptions): { table: string; policy: string } {
  return {
    table: configText(options.configuration.data_provider_table) ?? `${options.pipeline}_${options.block}`.replace(/[^A-Za-z0-9_]/g, '_'),
    policy: configText(options.configuration.export_write_policy) ?? 'append',
  };
}

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
  const source = readFileSync(options.file, 'utf8');
  let sql: string;
  try {
    sql = renderSql(source, { upstream: options.inputs.map((i) => i.uuid), variables: options.variables, env: options.env });
  } catch (error) {
    if (!(error instanceof TemplateValueError)) throw error;
    throw new SqlBlockError({ code: 'runtime', message: error.message, file: options.file, ...sqlPosition(source, error.offset) });
  }
  for (const [index, input] of options.inputs.entries()) {
    // A JSON value (such as one item of a dynamic block) reads as a table too: an object's keys are
    // columns, a list's objects rows, and any other value one row of a column named json.
    const from = input.output.kind === 'table' ? parquetSource(input.output.files) : input.output.kind === 'json' ? `read_json_auto(${sqlString(input.output.files[0])})` : undefined;
    if (from) await connection.run(`CREATE OR REPLACE VIEW ${sqlIdent(upstreamView(index))} AS SELECT * FROM ${from}`);
  }
  const body = sqlBody(sql);
  try {
    const statements = await connection.extractStatements(body);
    if (statements.count === 1 && QUERY_START.test(stripLeadingComments(body))) {
      return await persistOutput(connection, new Dataset(connection, `(${body}\n)`), { dir: options.outputDir });
    }
    const result = await connection.run(body);
    const rows = result.columnCount > 0 ? (await result.getRowObjectsJS()) : undefined;
    return await persistOutput(connection, rows && rows.length > 0 ? rows : undefined, { dir: options.outputDir });
  } catch (error) {
    throw new SqlBlockError({ code: 'runtime', message: `The query failed: ${(error as Error).message}`, file: options.file });
  }
}
