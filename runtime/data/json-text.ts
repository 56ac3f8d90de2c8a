/** A value as JSON text; bigints (DuckDB's BIGINT) become decimal strings instead of throwing. */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), space);
}
