import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuck } from '../../../runtime/data/duck.ts';
import { PostgresIo } from '../../../runtime/connectors/postgres.ts';
import { binaryCopyPlan } from '../../../runtime/connectors/pg-binary.ts';
import { Dataset } from '../../../runtime/data/dataset.ts';
import { startPostgres } from '../../helpers/postgres.ts';

// PostgresIo.export sends binary COPY encoded from DuckDB's vectors when every column has a binary
// encoding, and CSV otherwise. Both against a real server (embedded, or Debian's in CI).

async function setUp(t: TestContext): Promise<{ io: PostgresIo; duck: DuckDBConnection; query: (sql: string) => Promise<Record<string, unknown>[]> }> {
  const root = mkdtempSync(join(tmpdir(), 'pipewright-pg-binary-'));
  const { settings, query } = await startPostgres(t, root);
  // Through openDuck, as blocks get it: streams open connections of their own on its instance.
  const duck = await openDuck();
  t.after(() => {
    duck.closeSync();
    rmSync(root, { recursive: true, force: true });
  });
  return { io: new PostgresIo(settings, async () => duck, join(root, 'work')), duck, query };
}

const EVERY_TYPE = `SELECT * FROM (VALUES
  (1, true, 1::TINYINT, 200::UTINYINT, -3::SMALLINT, 60000::USMALLINT, (-2147483648)::INTEGER, 4294967295::UINTEGER, (-9223372036854775808)::BIGINT,
   1.5::FLOAT, -0.1::DOUBLE, DATE '1969-12-31', TIMESTAMP '1999-12-31 23:59:59.999999', TIMESTAMPTZ '2021-01-01 00:15:56+00', TIME '23:59:59.5',
   'short', 'longer than twelve bytes: Zürich 東京 🚕, "quoted"\nnext line', '\\xAA\\x00\\xFF'::BLOB, '{"a": [1, 2]}'::JSON),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, false, (-128)::TINYINT, 0::UTINYINT, 32767::SMALLINT, 0::USMALLINT, 2147483647::INTEGER, 0::UINTEGER, 9223372036854775807::BIGINT,
   -0.0::FLOAT, 1e308::DOUBLE, DATE 'infinity', TIMESTAMP 'infinity', TIMESTAMPTZ '-infinity', TIME '00:00:00',
   '', 'exactly 12 b', ''::BLOB, 'null'::JSON),
  (4, true, 0::TINYINT, 1::UTINYINT, 0::SMALLINT, 1::USMALLINT, 0::INTEGER, 1::UINTEGER, 0::BIGINT,
   0::FLOAT, 0::DOUBLE, DATE '0001-01-01', TIMESTAMP '1900-03-01 12:00:00', TIMESTAMPTZ '2000-01-01 00:00:00+00', TIME '12:00:00',
   'x', 'thirteen byte', 'abc'::BLOB, '{}'::JSON)
) AS t(id, b, i1, u1, i2, u2, i4, u4, i8, f4, f8, d, ts, tstz, tm, s, long, bytes, doc)`;

test('every type with a binary encoding survives binary COPY: extremes, nulls, infinities, dates before 1970 and 2000, long and unicode strings', async (t) => {
  const { io, duck, query } = await setUp(t);
  const described = (await duck.runAndReadAll(`DESCRIBE ${EVERY_TYPE}`)).getRowObjectsJS().map((r) => String(r.column_type));
  assert.ok(binaryCopyPlan(described), `every column has a binary encoding: ${described.join(', ')}`);
  assert.equal(await io.export(new Dataset(duck, `(${EVERY_TYPE})`), { schema: 'checks', table: 'every_type' }), 4);
  const types = await query(
    "SELECT string_agg(column_name || ':' || data_type, ', ' ORDER BY ordinal_position) AS t FROM information_schema.columns WHERE table_name = 'every_type'",
  );
  assert.equal(
    types[0].t,
    'id:integer, b:boolean, i1:smallint, u1:smallint, i2:smallint, u2:integer, i4:integer, u4:bigint, i8:bigint, f4:real, f8:double precision, d:date, ts:timestamp without time zone, tstz:timestamp with time zone, tm:time without time zone, s:text, long:text, bytes:bytea, doc:jsonb',
  );
  const rows = await query(
    "SELECT id, b::text, i1::text, u1::text, i2::text, u2::text, i4::text, u4::text, i8::text, f4::text, f8::text, d::text, ts::text, (tstz AT TIME ZONE 'UTC')::text AS tstz, tm::text, s, long, encode(bytes, 'hex') AS bytes, doc::text FROM checks.every_type ORDER BY id",
  );
  assert.deepEqual(rows[0], {
    id: 1,
    b: 'true',
    i1: '1',
    u1: '200',
    i2: '-3',
    u2: '60000',
    i4: '-2147483648',
    u4: '4294967295',
    i8: '-9223372036854775808',
    f4: '1.5',
    f8: '-0.1',
    d: '1969-12-31',
    ts: '1999-12-31 23:59:59.999999',
    tstz: '2021-01-01 00:15:56',
    tm: '23:59:59.5',
    s: 'short',
    long: 'longer than twelve bytes: Zürich 東京 🚕, "quoted"\nnext line',
    bytes: 'aa00ff',
    doc: '{"a": [1, 2]}',
  });
  assert.deepEqual(
    Object.entries(rows[1])
      .filter(([, v]) => v !== null)
      .map(([k]) => k),
    ['id'],
    'row 2 is all nulls',
  );
  assert.deepEqual(rows[2], {
    id: 3,
    b: 'false',
    i1: '-128',
    u1: '0',
    i2: '32767',
    u2: '0',
    i4: '2147483647',
    u4: '0',
    i8: '9223372036854775807',
    f4: '-0',
    f8: '1e+308',
    d: 'infinity',
    ts: 'infinity',
    tstz: '-infinity',
    tm: '00:00:00',
    s: '',
    long: 'exactly 12 b',
    bytes: '',
    doc: 'null',
  });
  assert.deepEqual(rows[3], {
    id: 4,
    b: 'true',
    i1: '0',
    u1: '1',
    i2: '0',
    u2: '1',
    i4: '0',
    u4: '1',
    i8: '0',
    f4: '0',
    f8: '0',
    d: '0001-01-01',
    ts: '1900-03-01 12:00:00',
    tstz: '2000-01-01 00:00:00',
    tm: '12:00:00',
    s: 'x',
    long: 'thirteen byte',
    bytes: '616263',
    doc: '{}',
  });
});

test('binary COPY and CSV load the same 20,000 generated rows identically', async (t) => {
  const { io, duck, query } = await setUp(t);
  const generated = `SELECT
      i AS id,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (hash(i) % 2000000000)::INTEGER END AS n,
      CASE WHEN i % 5 = 0 THEN NULL ELSE ((hash(i) % 100000) / 7.0)::DOUBLE END AS x,
      TIMESTAMP '1960-01-01' + to_microseconds((hash(i * 3) % 3000000000000000)::BIGINT) AS at,
      DATE '1950-01-01' + (i % 40000)::INTEGER AS day,
      CASE WHEN i % 11 = 0 THEN NULL ELSE repeat(chr((65 + i % 26)::INTEGER), (i % 30)::INTEGER) || '€' END AS label
    FROM range(20000) AS r(i)`;
  assert.equal(await io.export(new Dataset(duck, `(${generated})`), { table: 'by_binary' }), 20000);
  // A DECIMAL column has no binary encoding here, so this one goes by CSV.
  assert.equal(await io.export(new Dataset(duck, `(SELECT *, 1.5::DECIMAL(4,1) AS d FROM (${generated}))`), { table: 'by_csv' }), 20000);
  const columns = 'id, n, x, at, day, label';
  const differences = await query(
    `SELECT count(*)::int AS n FROM ((SELECT ${columns} FROM by_binary EXCEPT ALL SELECT ${columns} FROM by_csv) UNION ALL (SELECT ${columns} FROM by_csv EXCEPT ALL SELECT ${columns} FROM by_binary)) AS d`,
  );
  assert.equal(differences[0].n, 0);
  const nulls = await query('SELECT count(*) FILTER (WHERE n IS NULL)::int AS n, count(*) FILTER (WHERE label IS NULL)::int AS label FROM by_binary');
  assert.deepEqual(nulls[0], { n: 2858, label: 1819 });
});

test('appending to a table whose types differ from the data falls back to CSV, and PostgreSQL converts', async (t) => {
  const { io, duck, query } = await setUp(t);
  await query('CREATE TABLE widened (n bigint, at timestamptz, label varchar(20))');
  const data = new Dataset(duck, "(SELECT 1::INTEGER AS n, TIMESTAMP '2021-01-01 10:00:00' AS at, 'one' AS label)");
  assert.equal(await io.export(data, { table: 'widened', ifExists: 'append' }), 1);
  assert.deepEqual(await query("SELECT n, (at AT TIME ZONE 'UTC')::text AS at, label FROM widened"), [{ n: '1', at: '2021-01-01 10:00:00', label: 'one' }]);
});

test('load streams a query result out with COPY as a dataset, with its types, nulls apart from empty strings', async (t) => {
  const { io, query } = await setUp(t);
  await query(
    `CREATE TABLE source (id int, flag boolean, amount numeric(10,2), exact numeric, ratio real, at timestamptz, day date, note text, doc jsonb, key uuid, tags int[], span interval, raw bytea)`,
  );
  await query(`INSERT INTO source VALUES
    (1, true, 12.50, 123456789012345678901234567890.5, 0.25, '2021-01-01 00:15:56+00', '2021-01-01', 'a,b "quoted"' || chr(10) || 'next line', '{"a": [1, 2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,2}', '1 day 02:00:00', '\\xaa00ff'),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (3, false, -0.01, 0, -1.5, 'infinity', '1969-12-31', '', 'null', '00000000-0000-0000-0000-000000000000', '{}', '-1 mons', '\\x'),
    (4, true, 1, 1, 1, '2021-06-30 23:59:59.999999+02', '2000-01-01', 'Zürich 東京 🚕', '[]', NULL, NULL, NULL, NULL)`);
  const dataset = await io.load('SELECT * FROM source ORDER BY id;');
  assert.deepEqual(
    (await dataset.schema()).map((c) => `${c.name}:${c.type}`),
    [
      'id:INTEGER',
      'flag:BOOLEAN',
      'amount:DECIMAL(10,2)',
      'exact:VARCHAR',
      'ratio:FLOAT',
      'at:TIMESTAMP WITH TIME ZONE',
      'day:DATE',
      'note:VARCHAR',
      'doc:JSON',
      'key:UUID',
      'tags:VARCHAR',
      'span:VARCHAR',
      'raw:VARCHAR',
    ],
  );
  const text = await dataset
    .sql(
      `SELECT id, flag::VARCHAR AS flag, amount::VARCHAR AS amount, exact, ratio::VARCHAR AS ratio, strftime(timezone('UTC', "at"), '%Y-%m-%d %H:%M:%S.%f') AS "at", "at"::VARCHAR AS at_text, day::VARCHAR AS day, note, doc::VARCHAR AS doc, key::VARCHAR AS key, tags, span, raw FROM data ORDER BY id`,
    )
    .rows();
  assert.deepEqual(text[0], {
    id: 1,
    flag: 'true',
    amount: '12.50',
    exact: '123456789012345678901234567890.5',
    ratio: '0.25',
    at: '2021-01-01 00:15:56.000000',
    at_text: text[0].at_text,
    day: '2021-01-01',
    note: 'a,b "quoted"\nnext line',
    doc: '{"a": [1, 2]}',
    key: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    tags: '{1,2}',
    span: '1 day 02:00:00',
    raw: '\\xaa00ff',
  });
  assert.deepEqual(
    Object.entries(text[1])
      .filter(([, v]) => v !== null)
      .map(([k]) => k),
    ['id'],
    'row 2: every NULL stays NULL',
  );
  assert.equal(text[2].note, '', 'an empty string stays an empty string');
  assert.equal(text[2].at_text, 'infinity');
  assert.equal(text[2].day, '1969-12-31');
  assert.equal(text[3].at, '2021-06-30 21:59:59.999999', 'timestamptz keeps its instant');
  assert.equal(text[3].note, 'Zürich 東京 🚕');
  // And back: exported again, the copy equals the source (the text-typed columns compared as text).
  await io.export(dataset.sql('SELECT id, flag, amount, ratio, "at", day, note FROM data'), { table: 'round_trip' });
  const differences = await query(
    'SELECT count(*)::int AS n FROM ((SELECT id, flag, amount, ratio, at, day, note FROM source EXCEPT ALL SELECT id, flag, amount, ratio, at, day, note FROM round_trip) UNION ALL (SELECT id, flag, amount, ratio, at, day, note FROM round_trip EXCEPT ALL SELECT id, flag, amount, ratio, at, day, note FROM source)) AS d',
  );
  assert.equal(differences[0].n, 0);
});

test('load says what is wrong with a query, and refuses two columns of one name', async (t) => {
  const { io } = await setUp(t);
  await assert.rejects(io.load('SELECT * FROM missing_table'), /Cannot load the query from PostgreSQL: relation "missing_table" does not exist/);
  await assert.rejects(io.load('SELECT 1 AS n, 2 AS n'), /two columns named "n": give each column its own name/);
});
