import { sqlIdent, sqlString } from '../data/sql-text.js';
import { SQL_LITERAL_FILTER, upstreamView } from '../template/names.js';
import { findTemplateExpressions, renderTemplate, TemplateValueError, type TemplateExpression } from '../template/template.js';

/** What a SQL block's template can name. */
export interface SqlTemplateContext {
  /** Upstream block uuids in upstream_blocks order: `{{ df_1 }}` is the first. */
  upstream: string[];
  variables: Record<string, unknown>;
  env: (name: string) => string | undefined;
  /** How an upstream output is named in the SQL (default: the DuckDB view `df_N`). */
  upstreamName?: (index: number) => string;
  /** Whose string literals `| sql_literal` writes (BigQuery's take backslash escapes). Default duckdb. */
  dialect?: SqlDialect;
}

/** The SQL engines a block runs on. */
export type SqlDialect = 'duckdb' | 'postgres' | 'bigquery';

/**
 * A value as a SQL literal of `dialect`: text quoted (quotes doubled; backslashes escaped for
 * BigQuery, where they escape), numbers and booleans as such, null as NULL. `{{ variables('v') }}`
 * puts a value into the SQL as raw text, as Mage does, so `--var "v=x'; DROP TABLE t; --"` ran;
 * `{{ variables('v') | sql_literal }}` cannot leave its literal.
 */
export function sqlLiteral(value: unknown, dialect: SqlDialect = 'duckdb'): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
  const body = text(value);
  if (dialect === 'bigquery') return `'${body.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
  return sqlString(body);
}

function text(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * Renders a SQL block as Mage does (Jinja with StrictUndefined): `{{ df_N }}` and `{{ <uuid> }}` name
 * upstream outputs, `{{ variables('x') }}`, `{{ env_var('X') }}` and bare names read the run's
 * variables. Anything undefined is an error at its offset, never an empty string.
 */
export function renderSql(sql: string, context: SqlTemplateContext): string {
  if (sql.includes('{%')) throw new TemplateValueError('Jinja statements ({% ... %}) are not supported in SQL blocks yet: use {{ ... }} expressions', sql.indexOf('{%'));
  const unclosed = findTemplateExpressions(sql).unclosed;
  if (unclosed.length > 0) throw new TemplateValueError('"{{" is never closed with "}}"', unclosed[0]);
  return renderTemplate(sql, (expression) => {
    const value = resolve(expression, context);
    const [filter, ...more] = expression.filters;
    if (filter === undefined) return value.kind === 'sql' ? value.sql : text(value.value);
    if (filter !== SQL_LITERAL_FILTER || more.length > 0) {
      throw new TemplateValueError(
        `Unknown filter "${expression.filters.join(' | ')}": SQL blocks know only | ${SQL_LITERAL_FILTER} (the value as a quoted SQL literal)`,
        expression.start,
      );
    }
    if (value.kind === 'sql') throw new TemplateValueError(`{{ ${expression.source} }} names a table, which is not a value: leave out | ${SQL_LITERAL_FILTER}`, expression.start);
    return sqlLiteral(value.value, context.dialect);
  });
}

/** What an expression gives: SQL text (a table's name) or a value (a variable). */
type Resolved = { kind: 'sql'; sql: string } | { kind: 'value'; value: unknown };

function resolve(expression: TemplateExpression, context: SqlTemplateContext): Resolved {
  const parsed = expression.parsed;
  if (parsed.kind === 'name') {
    const dfIndex = /^df_(\d+)$/.exec(parsed.name);
    if (dfIndex) {
      const index = Number(dfIndex[1]) - 1;
      if (index < 0 || index >= context.upstream.length) {
        throw new TemplateValueError(
          `{{ ${parsed.name} }} names upstream block ${index + 1}, but this block has ${context.upstream.length} upstream block${context.upstream.length === 1 ? '' : 's'}`,
          expression.start,
        );
      }
      return { kind: 'sql', sql: context.upstreamName ? context.upstreamName(index) : upstreamView(index) };
    }
    const upstream = context.upstream.indexOf(parsed.name);
    if (upstream >= 0) return { kind: 'sql', sql: context.upstreamName ? context.upstreamName(upstream) : sqlIdent(upstreamView(upstream)) };
    if (parsed.name in context.variables) return { kind: 'value', value: context.variables[parsed.name] };
    throw new TemplateValueError(`{{ ${parsed.name} }} is undefined: it is neither an upstream block nor a variable of this run`, expression.start);
  }
  if (parsed.kind === 'call' && parsed.quoted && parsed.fn === 'variables') {
    if (parsed.arg in context.variables) return { kind: 'value', value: context.variables[parsed.arg] };
    throw new TemplateValueError(`variables('${parsed.arg}') is undefined: set it in the pipeline's variables, a trigger, or with --var ${parsed.arg}=...`, expression.start);
  }
  if (parsed.kind === 'call' && parsed.quoted && parsed.fn === 'env_var') {
    const value = context.env(parsed.arg);
    if (value !== undefined) return { kind: 'value', value };
    throw new TemplateValueError(`Environment variable "${parsed.arg}" is not set`, expression.start);
  }
  if (parsed.kind === 'call' && !parsed.quoted) {
    throw new TemplateValueError(`${parsed.fn}(${parsed.arg}) needs quotes: write {{ ${parsed.fn}('${parsed.arg}') }}`, expression.start);
  }
  throw new TemplateValueError(`{{ ${expression.source} }} is not an expression Pipewright understands in SQL blocks`, expression.start);
}
