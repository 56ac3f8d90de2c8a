import { upstreamView } from '../template/names.js';
import { findTemplateExpressions, renderTemplate, TemplateValueError, type TemplateExpression } from '../template/template.js';

/** What a SQL block's template can name. */
export interface SqlTemplateContext {
  /** Upstream block uuids in upstream_blocks order: `{{ df_1 }}` is the first. */
  upstream: string[];
  variables: Record<string, unknown>;
  env: (name: string) => string | undefined;
  /** How an upstream output is named in the SQL (default: the DuckDB view `df_N`). */
  upstreamName?: (index: number) => string;
}

function text(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
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
  return renderTemplate(sql, (expression) => resolve(expression, context));
}

function resolve(expression: TemplateExpression, context: SqlTemplateContext): string {
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
      return context.upstreamName ? context.upstreamName(index) : upstreamView(index);
    }
    const upstream = context.upstream.indexOf(parsed.name);
    if (upstream >= 0) return context.upstreamName ? context.upstreamName(upstream) : quoteIdent(upstreamView(upstream));
    if (parsed.name in context.variables) return text(context.variables[parsed.name]);
    throw new TemplateValueError(`{{ ${parsed.name} }} is undefined: it is neither an upstream block nor a variable of this run`, expression.start);
  }
  if (parsed.kind === 'call' && parsed.quoted && parsed.fn === 'variables') {
    if (parsed.arg in context.variables) return text(context.variables[parsed.arg]);
    throw new TemplateValueError(`variables('${parsed.arg}') is undefined: set it in the pipeline's variables, a trigger, or with --var ${parsed.arg}=...`, expression.start);
  }
  if (parsed.kind === 'call' && parsed.quoted && parsed.fn === 'env_var') {
    const value = context.env(parsed.arg);
    if (value !== undefined) return value;
    throw new TemplateValueError(`Environment variable "${parsed.arg}" is not set`, expression.start);
  }
  if (parsed.kind === 'call' && !parsed.quoted) {
    throw new TemplateValueError(`${parsed.fn}(${parsed.arg}) needs quotes: write {{ ${parsed.fn}('${parsed.arg}') }}`, expression.start);
  }
  throw new TemplateValueError(`{{ ${expression.source} }} is not an expression Pipewright understands in SQL blocks`, expression.start);
}
