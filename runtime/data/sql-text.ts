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
