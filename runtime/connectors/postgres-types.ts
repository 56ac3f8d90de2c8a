/** The PostgreSQL column type for a DuckDB type: exact for the types data pipelines carry, text otherwise. */
export function postgresType(duckType: string): string {
  const type = duckType.toUpperCase().trim();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `numeric(${decimal[1]},${decimal[2]})`;
  if (type.endsWith('[]')) return `${postgresType(type.slice(0, -2))}[]`;
  const simple: Record<string, string> = {
    BOOLEAN: 'boolean',
    TINYINT: 'smallint',
    SMALLINT: 'smallint',
    INTEGER: 'integer',
    BIGINT: 'bigint',
    HUGEINT: 'numeric(39,0)',
    UTINYINT: 'smallint',
    USMALLINT: 'integer',
    UINTEGER: 'bigint',
    UBIGINT: 'numeric(20,0)',
    FLOAT: 'real',
    DOUBLE: 'double precision',
    VARCHAR: 'text',
    BLOB: 'bytea',
    DATE: 'date',
    TIME: 'time',
    TIMESTAMP: 'timestamp',
    'TIMESTAMP_S': 'timestamp',
    'TIMESTAMP_MS': 'timestamp',
    'TIMESTAMP_NS': 'timestamp',
    'TIMESTAMP WITH TIME ZONE': 'timestamptz',
    INTERVAL: 'interval',
    UUID: 'uuid',
    JSON: 'jsonb',
  };
  return simple[type] ?? 'text';
}

/** A PostgreSQL identifier, quoted. */
export function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
