// PostgreSQL's binary COPY format, encoded straight from DuckDB's result vectors. PostgreSQL ingests
// binary COPY about twice as fast as CSV (it parses no text), and reading DuckDB's vectors as typed
// arrays costs a few nanoseconds a value, where converting them to JavaScript values costs a second
// for the taxi month. The vectors are read through @duckdb/node-bindings, DuckDB's C API.
import duckdb from '@duckdb/node-bindings';
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { streamChunks } from '../data/duck.js';

/** How one column travels: its wire encoding in binary COPY. */
type Encoding = 'bool' | 'int1' | 'uint1' | 'int2' | 'uint2' | 'int4' | 'uint4' | 'int8' | 'float4' | 'float8' | 'date' | 'timestamp' | 'time' | 'text' | 'jsonb';

/** DuckDB type (as DESCRIBE prints it) → encoding. Types missing here go by CSV instead. */
const ENCODINGS: Record<string, Encoding> = {
  BOOLEAN: 'bool',
  TINYINT: 'int1',
  UTINYINT: 'uint1',
  SMALLINT: 'int2',
  USMALLINT: 'uint2',
  INTEGER: 'int4',
  UINTEGER: 'uint4',
  BIGINT: 'int8',
  FLOAT: 'float4',
  DOUBLE: 'float8',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  TIME: 'time',
  VARCHAR: 'text',
  BLOB: 'text',
  JSON: 'jsonb',
};

/** Bytes of a value in DuckDB's vector, and on the wire (0: variable length). */
const WIDTH: Record<Encoding, { source: number; wire: number }> = {
  bool: { source: 1, wire: 1 },
  int1: { source: 1, wire: 2 },
  uint1: { source: 1, wire: 2 },
  int2: { source: 2, wire: 2 },
  uint2: { source: 2, wire: 4 },
  int4: { source: 4, wire: 4 },
  uint4: { source: 4, wire: 8 },
  int8: { source: 8, wire: 8 },
  float4: { source: 4, wire: 4 },
  float8: { source: 8, wire: 8 },
  date: { source: 4, wire: 4 },
  timestamp: { source: 8, wire: 8 },
  time: { source: 8, wire: 8 },
  text: { source: 16, wire: 0 },
  jsonb: { source: 16, wire: 0 },
};

/** Days from 1970-01-01 (DuckDB's epoch) to 2000-01-01 (PostgreSQL's). */
const EPOCH_DAYS = 10957;
/** The same in microseconds, split into the high and low 32 bits of a 64-bit integer. */
const EPOCH_MICROS_HIGH = Math.floor((EPOCH_DAYS * 86_400_000_000) / 2 ** 32);
const EPOCH_MICROS_LOW = (EPOCH_DAYS * 86_400_000_000) % 2 ** 32;
const INT32_MAX = 0x7fffffff;

/** The file header: signature, flags, header extension length. */
export const BINARY_COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** The file trailer: a field count of -1. */
export const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);

/** The encodings of the columns, or undefined when one of them has no binary encoding here. */
export function binaryCopyPlan(duckTypes: string[]): Encoding[] | undefined {
  const plan = duckTypes.map((type) => ENCODINGS[type.toUpperCase().trim()]);
  return plan.every((encoding) => encoding !== undefined) ? plan : undefined;
}

interface ColumnData {
  encoding: Encoding;
  bytes: Uint8Array;
  view: DataView;
  /** Validity bits (bit i of the little-endian words), or null when every value is valid. */
  validity: Uint8Array | null;
  /** For strings: each value's bytes. */
  strings?: Uint8Array[];
}

function valid(validity: Uint8Array | null, row: number): boolean {
  return validity === null || (validity[row >> 3] & (1 << (row & 7))) !== 0;
}

function readColumn(chunk: DuckDBDataChunk, column: number, encoding: Encoding, rows: number): ColumnData {
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const bytes = duckdb.vector_get_data(vector, rows * WIDTH[encoding].source);
  const validity = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8) ?? null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data: ColumnData = { encoding, bytes, view, validity };
  if (WIDTH[encoding].wire === 0) {
    // DuckDB's string_t: a 4-byte length, then up to 12 bytes inline, or a prefix and a pointer.
    data.strings = new Array<Uint8Array>(rows);
    for (let row = 0; row < rows; row++) {
      if (!valid(validity, row)) continue;
      const at = row * 16;
      const length = view.getUint32(at, true);
      data.strings[row] = length <= 12 ? bytes.subarray(at + 4, at + 4 + length) : duckdb.get_data_from_pointer(bytes.buffer as ArrayBuffer, bytes.byteOffset + at + 8, length);
    }
  }
  return data;
}

/** One chunk of DuckDB rows as binary COPY tuples. */
export function encodeChunk(chunk: DuckDBDataChunk, plan: Encoding[]): Buffer {
  const rows = chunk.rowCount;
  const columns = plan.map((encoding, index) => readColumn(chunk, index, encoding, rows));
  // Sizes first, so the tuples go into one buffer written column by column.
  const starts = new Int32Array(rows + 1);
  for (let row = 0; row < rows; row++) starts[row + 1] = 2;
  for (const column of columns) {
    const wire = WIDTH[column.encoding].wire;
    for (let row = 0; row < rows; row++) {
      if (!valid(column.validity, row)) starts[row + 1] += 4;
      else if (wire !== 0) starts[row + 1] += 4 + wire;
      else starts[row + 1] += 4 + column.strings![row].length + (column.encoding === 'jsonb' ? 1 : 0);
    }
  }
  for (let row = 0; row < rows; row++) starts[row + 1] += starts[row];
  const out = Buffer.allocUnsafe(starts[rows]);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const cursor = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    view.setInt16(starts[row], plan.length);
    cursor[row] = starts[row] + 2;
  }
  for (const column of columns) writeColumn(column, view, out, cursor);
  return out;
}

function writeColumn(column: ColumnData, out: DataView, buffer: Buffer, cursor: Int32Array): void {
  const { encoding, view: src, validity } = column;
  const rows = cursor.length;
  const width = WIDTH[encoding].wire;
  for (let row = 0; row < rows; row++) {
    let at = cursor[row];
    if (!valid(validity, row)) {
      out.setInt32(at, -1);
      cursor[row] = at + 4;
      continue;
    }
    if (width !== 0) {
      out.setInt32(at, width);
      at += 4;
    }
    switch (encoding) {
      case 'bool':
        out.setUint8(at, src.getUint8(row) === 0 ? 0 : 1);
        break;
      case 'int1':
        out.setInt16(at, src.getInt8(row));
        break;
      case 'uint1':
        out.setInt16(at, src.getUint8(row));
        break;
      case 'int2':
        out.setInt16(at, src.getInt16(row * 2, true));
        break;
      case 'uint2':
        out.setInt32(at, src.getUint16(row * 2, true));
        break;
      case 'int4':
        out.setInt32(at, src.getInt32(row * 4, true));
        break;
      case 'uint4':
        out.setInt32(at, 0);
        out.setUint32(at + 4, src.getUint32(row * 4, true));
        break;
      case 'float4':
        out.setFloat32(at, src.getFloat32(row * 4, true));
        break;
      case 'float8':
        out.setFloat64(at, src.getFloat64(row * 8, true));
        break;
      case 'int8':
      case 'time':
        out.setInt32(at, src.getInt32(row * 8 + 4, true));
        out.setUint32(at + 4, src.getUint32(row * 8, true));
        break;
      case 'date': {
        const days = src.getInt32(row * 4, true);
        // DuckDB's ±infinity are ±INT32_MAX; PostgreSQL's are INT32_MAX and INT32_MIN.
        out.setInt32(at, days === INT32_MAX ? INT32_MAX : days === -INT32_MAX ? -INT32_MAX - 1 : days - EPOCH_DAYS);
        break;
      }
      case 'timestamp':
        writeTimestamp(src.getInt32(row * 8 + 4, true), src.getUint32(row * 8, true), out, at);
        break;
      case 'text':
      case 'jsonb': {
        const value = column.strings![row];
        const prefix = encoding === 'jsonb' ? 1 : 0;
        out.setInt32(at, value.length + prefix);
        at += 4;
        // jsonb's binary form: a version byte (1), then the text.
        if (prefix) out.setUint8(at, 1);
        buffer.set(value, at + prefix);
        at += value.length + prefix;
        break;
      }
    }
    cursor[row] = width !== 0 ? at + width : at;
  }
}

/** Microseconds since 1970 (as high and low 32 bits) → since 2000, exactly, with ±infinity kept. */
function writeTimestamp(high: number, low: number, out: DataView, at: number): void {
  if (high === INT32_MAX && low === 0xffffffff) {
    out.setInt32(at, INT32_MAX);
    out.setUint32(at + 4, 0xffffffff);
    return;
  }
  if (high === -INT32_MAX - 1 && low === 1) {
    // DuckDB's -infinity is -INT64_MAX; PostgreSQL's is INT64_MIN.
    out.setInt32(at, -INT32_MAX - 1);
    out.setUint32(at + 4, 0);
    return;
  }
  let lowOut = low - EPOCH_MICROS_LOW;
  let highOut = high - EPOCH_MICROS_HIGH;
  if (lowOut < 0) {
    lowOut += 2 ** 32;
    highOut -= 1;
  }
  out.setInt32(at, highOut);
  out.setUint32(at + 4, lowOut);
}

/**
 * The rows of a DuckDB query as a binary COPY stream: header, tuples a chunk at a time (the next
 * chunk is fetched while this one is encoded), trailer. Memory stays at a few chunks.
 */
export async function* binaryCopyStream(connection: DuckDBConnection, query: string, plan: Encoding[]): AsyncGenerator<Buffer> {
  const chunks = streamChunks(connection, query);
  // The query starts before the header goes out, so a wrong query fails before COPY begins.
  const first = await chunks.next();
  yield BINARY_COPY_HEADER;
  if (!first.done) {
    yield encodeChunk(first.value.chunk, plan);
    for await (const { chunk } of chunks) yield encodeChunk(chunk, plan);
  }
  yield BINARY_COPY_TRAILER;
}
