/**
 * The one reader of `{{ ... }}` templates (io_config values, SQL blocks, the language server's checks).
 * Mage renders these with Jinja; we read the small expression language Mage's files actually use
 * (a name, or a call with one literal argument) so that every reference keeps its offset for errors.
 */

/** One `{{ ... }}` expression found in a text, with 0-based offsets of the whole `{{ ... }}`. */
export interface TemplateExpression {
  start: number;
  end: number;
  /** The expression between the braces, trimmed. */
  source: string;
  /** Offset of `source` in the text. */
  sourceStart: number;
  parsed: ParsedExpression;
  /** Jinja filters after the expression, in order: `{{ variables('v') | sql_literal }}` has ['sql_literal']. */
  filters: string[];
}

/** What an expression means: a bare name, a call with one argument, or something else we leave alone. */
export type ParsedExpression = { kind: 'name'; name: string } | { kind: 'call'; fn: string; arg: string; quoted: boolean; argStart: number; argEnd: number } | { kind: 'other' };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CALL = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?:(['"])(.*?)\2|([A-Za-z_][A-Za-z0-9_]*))\s*\)$/;

/** Finds every `{{ ... }}` in a text; an unclosed `{{` is reported through `unclosed`. */
export function findTemplateExpressions(text: string): { expressions: TemplateExpression[]; unclosed: number[] } {
  const expressions: TemplateExpression[] = [];
  const unclosed: number[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('{{', from);
    if (start < 0) break;
    const close = text.indexOf('}}', start + 2);
    if (close < 0) {
      unclosed.push(start);
      break;
    }
    const inner = text.slice(start + 2, close);
    const lead = inner.length - inner.trimStart().length;
    const [head, ...filters] = splitFilters(inner.trim());
    const source = head.trimEnd();
    const sourceStart = start + 2 + lead;
    expressions.push({ start, end: close + 2, source, sourceStart, parsed: parseExpression(source, sourceStart), filters: filters.map((f) => f.trim()) });
    from = close + 2;
  }
  return { expressions, unclosed };
}

/** Splits `expr | f1 | f2` at the bars outside quotes. */
function splitFilters(text: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '|') {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

function parseExpression(source: string, offset: number): ParsedExpression {
  if (NAME.test(source)) return { kind: 'name', name: source };
  const call = CALL.exec(source);
  if (!call) return { kind: 'other' };
  const quoted = call[2] !== undefined;
  const arg = quoted ? call[3] : call[4];
  const argIndex = source.indexOf(arg, call[1].length);
  const argStart = offset + argIndex - (quoted ? 1 : 0);
  return { kind: 'call', fn: call[1], arg, quoted, argStart, argEnd: argStart + arg.length + (quoted ? 2 : 0) };
}

/** Thrown by a resolver when an expression has no value; rendering stops at the first one. */
export class TemplateValueError extends Error {
  constructor(
    message: string,
    /** Offset of the offending expression in the rendered text. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Replaces every expression with what `resolve` returns for it; the text outside braces is untouched. */
export function renderTemplate(text: string, resolve: (expression: TemplateExpression) => string): string {
  const { expressions } = findTemplateExpressions(text);
  let out = '';
  let at = 0;
  for (const expression of expressions) {
    out += text.slice(at, expression.start) + resolve(expression);
    at = expression.end;
  }
  return out + text.slice(at);
}
