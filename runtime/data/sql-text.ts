/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL identifier, always quoted so any column name works. */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The table expression that reads a set of parquet files. */
export function parquetSource(files: readonly string[]): string {
  return `read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true)`;
}

/**
 * The statements of a SQL text without what trails the last one: whitespace, comments and
 * semicolons. Wrapped as `(${body})` or followed by `; COMMIT`, a trailing `-- comment` would
 * otherwise swallow what comes after it (a PostgreSQL block's COMMIT never ran). Quotes, dollar
 * quotes and block comments are skipped whole, so a `--` or `;` inside them stays.
 */
export function sqlBody(text: string): string {
  let end = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol + 1;
    } else if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      // A doubled quote is the quote itself. (BigQuery's backslash escapes are not followed: a text
      // misread that way keeps its trailing comment, which the newline callers add before ")" covers.)
      while (j < text.length && !(text[j] === c && text[j + 1] !== c)) j += text[j] === c ? 2 : 1;
      i = Math.min(j + 1, text.length);
      end = i;
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(text.slice(i, i + 64)) && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i, i + 64))![0];
      const close = text.indexOf(tag, i + tag.length);
      i = close < 0 ? text.length : close + tag.length;
      end = i;
    } else {
      if (c !== ';' && !/\s/.test(c)) end = i + 1;
      i++;
    }
  }
  return text.slice(0, end);
}
