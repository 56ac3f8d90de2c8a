import { createHash } from 'node:crypto';
import { sqlIdent } from '../data/sql-text.js';

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
    TIMESTAMP_S: 'timestamp',
    TIMESTAMP_MS: 'timestamp',
    TIMESTAMP_NS: 'timestamp',
    'TIMESTAMP WITH TIME ZONE': 'timestamptz',
    INTERVAL: 'interval',
    UUID: 'uuid',
    JSON: 'jsonb',
  };
  return simple[type] ?? 'text';
}

/** The most bytes PostgreSQL keeps of a name (NAMEDATALEN - 1); it cuts longer names silently. */
export const PG_NAME_BYTES = 63;

/**
 * Refuses a name PostgreSQL would cut: `taxi_..._feb` and `taxi_..._jan` cut to the same 63 bytes
 * are one table, so one month silently replaced the other. `what` says what the name is ("Table").
 */
export function checkPgName(name: string, what: string): string {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > PG_NAME_BYTES) {
    const kept = Buffer.from(name, 'utf8')
      .subarray(0, PG_NAME_BYTES)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
    throw new Error(
      `${what} name "${name}" is ${bytes} bytes; PostgreSQL keeps only ${PG_NAME_BYTES} ("${kept}"), so names that differ after that would be one: choose a name of at most ${PG_NAME_BYTES} bytes`,
    );
  }
  return name;
}

/** A name of at most 63 bytes made from a longer one: its start and a hash of the whole, so two long names stay apart. */
export function shortPgName(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= PG_NAME_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, PG_NAME_BYTES - hash.length - 1)}_${hash}`;
}

/** A quoted PostgreSQL identifier: the same double-quoted form as DuckDB's (one quoting, sql-text.ts). */
export const pgIdent = sqlIdent;

/** PostgreSQL type OIDs (pg_type.oid, fixed in every server) → DuckDB types, for reading COPY's CSV. */
const DUCK_TYPES_BY_OID: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  26: 'UINTEGER',
  700: 'FLOAT',
  701: 'DOUBLE',
  1082: 'DATE',
  1083: 'TIME',
  1114: 'TIMESTAMP',
  1184: 'TIMESTAMPTZ',
  2950: 'UUID',
  114: 'JSON',
  3802: 'JSON',
};

const NUMERIC_OID = 1700;

/**
 * The DuckDB type a column of a PostgreSQL result is read as. Exact where DuckDB has the type;
 * numeric with a precision up to 38 as DECIMAL, numeric without one (or wider) and every other type
 * (text, arrays, intervals, bytea as its hex text, ...) as VARCHAR, so no value is changed.
 */
export function duckTypeOfPostgres(oid: number, typeModifier: number): string {
  if (oid === NUMERIC_OID) {
    if (typeModifier < 4) return 'VARCHAR';
    const precision = ((typeModifier - 4) >> 16) & 0xffff;
    const scale = (typeModifier - 4) & 0xffff;
    return precision <= 38 && scale <= precision ? `DECIMAL(${precision},${scale})` : 'VARCHAR';
  }
  return DUCK_TYPES_BY_OID[oid] ?? 'VARCHAR';
}
