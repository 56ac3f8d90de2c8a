import type { DuckDBConnection } from '@duckdb/node-api';
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { Dataset } from '../data/dataset.js';
import { sqlBody, sqlString } from '../data/sql-text.js';
import { toDataset } from '../data/to-dataset.js';
import type { PostgresSettings } from './embedded-postgres.js';
import { onInterrupt } from '../interrupts.js';
import { binaryCopyPlan, binaryCopyStream } from './pg-binary.js';
import { checkPgName, duckTypeOfPostgres, pgIdent, postgresType, shortPgName } from './postgres-types.js';

/** What to do when the table exists (Mage's if_exists). */
export type IfExists = 'replace' | 'append' | 'fail';

/** Options of `export`. */
export interface PostgresExportOptions {
  table: string;
  schema?: string;
  ifExists?: IfExists;
  /** Columns that identify a row: rows whose key exists are updated (or ignored) instead of added. */
  uniqueConstraints?: string[];
  /** What to do with a row whose key exists (Mage's unique_conflict_method); default UPDATE. */
  uniqueConflictMethod?: 'UPDATE' | 'IGNORE';
}

/** The rows a COPY reads: binary straight from DuckDB when every column has a binary encoding, else CSV. */
interface CopySource {
  format: 'binary' | 'csv';
  open(): Readable;
}

/** A connection to PostgreSQL for a block: export datasets with COPY, run queries. */
export class PostgresIo {
  constructor(
    private readonly settings: PostgresSettings,
    private readonly duck: () => Promise<DuckDBConnection>,
    private readonly workDir: string,
  ) {}

  private clientSettings(): pg.ClientConfig {
    const { host, port, user, password, database } = this.settings;
    return { host, port, user, password, database, application_name: 'pipewright' };
  }

  private async client(): Promise<pg.Client> {
    const client = new pg.Client({ ...this.clientSettings(), connectionTimeoutMillis: this.settings.connectTimeoutSeconds * 1000 });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`Cannot connect to PostgreSQL at ${this.settings.host}:${this.settings.port} as ${this.settings.user}: ${(error as Error).message}`, { cause: error });
    }
    // The server goes on with a statement whose client is gone: a stopped block cancels it.
    const unregister = onInterrupt(() => this.cancelBackend((client as unknown as { processID: number }).processID));
    client.once('end', unregister);
    return client;
  }

  /** Cancels the statement a backend runs (pg_cancel_backend, as the same user). */
  private async cancelBackend(pid: number): Promise<void> {
    const client = new pg.Client({ ...this.clientSettings(), connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Runs `body` with a connected client, closed after. */
  async withClient<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = await this.client();
    try {
      return await body(client);
    } finally {
      await client.end();
    }
  }

  /** Runs a statement and returns its rows (for small results). */
  async query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const client = await this.client();
    try {
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }

  /**
   * A query's result as a dataset, streamed out of PostgreSQL with `COPY (query) TO STDOUT` into a
   * file in the block's work folder, so memory stays bounded whatever the result's size. Column types
   * come from the result's own description (a `LIMIT 0` run of the query).
   */
  async load(sql: string): Promise<Dataset> {
    const query = sqlBody(sql);
    const duck = await this.duck();
    const dir = join(this.workDir, 'postgres-load');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `result-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.csv`);
    const client = await this.client();
    let fields: { name: string; dataTypeID: number; dataTypeModifier: number }[];
    try {
      // Text output of timestamptz follows the session's time zone; UTC keeps the instants exact.
      await client.query("SET TimeZone = 'UTC'");
      fields = (await client.query(`SELECT * FROM (${query}\n) AS pw_query LIMIT 0`)).fields;
      const names = new Set<string>();
      for (const field of fields) {
        if (names.has(field.name)) throw new Error(`The query gives two columns named "${field.name}": give each column its own name (AS ...)`);
        names.add(field.name);
      }
      await pipeline(client.query(copyTo(`COPY (${query}\n) TO STDOUT WITH (FORMAT csv, HEADER false)`)), createWriteStream(file));
    } catch (error) {
      rmSync(file, { force: true });
      throw new Error(`Cannot load the query from PostgreSQL: ${(error as Error).message}`, { cause: error });
    } finally {
      await client.end();
    }
    const columns = fields.map((f) => `${sqlString(f.name)}: ${sqlString(duckTypeOfPostgres(f.dataTypeID, f.dataTypeModifier))}`);
    // COPY writes NULL as an empty field and an empty string as "", which must stay apart.
    const settings = ['header = false', 'auto_detect = false', 'allow_quoted_nulls = false', `columns = {${columns.join(', ')}}`];
    return new Dataset(duck, `read_csv(${sqlString(file)}, ${settings.join(', ')})`);
  }

  /**
   * Writes a dataset (or rows) to a table with COPY, never row by row. `replace` loads into a staging
   * table and swaps it in within one transaction, and `append` copies within one: a load that fails
   * or is killed half-way leaves the table exactly as it was. Returns the number of rows written.
   */
  async export(data: unknown, options: PostgresExportOptions): Promise<number> {
    const schema = checkPgName(options.schema ?? this.settings.schema, 'Schema');
    checkPgName(options.table, 'Table');
    const ifExists = options.ifExists ?? 'replace';
    const duck = await this.duck();
    const dir = join(this.workDir, `postgres-export-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    try {
      const dataset = await toDataset(data, duck, dir, 'postgres.export');
      const described = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM ${dataset.source}`)).getRowObjectsJS();
      const columns = described.map((r) => ({ name: checkPgName(String(r.column_name), 'Column'), type: postgresType(String(r.column_type)) }));
      const plan = binaryCopyPlan(described.map((r) => String(r.column_type)));
      const csv = join(dir, 'data.csv');
      const source = async (options: { csv?: boolean } = {}): Promise<CopySource> => {
        if (plan && !options.csv) return { format: 'binary', open: () => Readable.from(binaryCopyStream(duck, `SELECT * FROM ${dataset.source}`, plan)) };
        await duck.run(`COPY (SELECT * FROM ${dataset.source}) TO ${sqlString(csv)} (FORMAT csv, HEADER false)`);
        return { format: 'csv', open: () => createReadStream(csv) };
      };
      const target = { schema, table: options.table, ifExists, columns };
      if (options.uniqueConstraints?.length) return await this.upsert(source, { ...target, keys: options.uniqueConstraints, method: options.uniqueConflictMethod ?? 'UPDATE' });
      return await this.copyInto(source, target);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * An upsert as one statement: the data goes by COPY into a temporary table, then one
   * INSERT ... ON CONFLICT moves it (the last row wins when the data repeats a key). Mage does this
   * row by row; the table gets the unique index ON CONFLICT needs if it lacks one.
   */
  private async upsert(
    source: (options?: { csv?: boolean }) => Promise<CopySource>,
    target: { schema: string; table: string; columns: { name: string; type: string }[]; keys: string[]; method: 'UPDATE' | 'IGNORE' },
  ): Promise<number> {
    const unknown = target.keys.filter((k) => !target.columns.some((c) => c.name === k));
    if (unknown.length > 0)
      throw new Error(`uniqueConstraints names ${unknown.join(', ')}, which the data has no column for (columns: ${target.columns.map((c) => c.name).join(', ')})`);
    const client = await this.client();
    const qualified = `${pgIdent(target.schema)}.${pgIdent(target.table)}`;
    const columns = target.columns.map((c) => pgIdent(c.name)).join(', ');
    const keys = target.keys.map(pgIdent).join(', ');
    try {
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pgIdent(target.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${qualified} (${target.columns.map((c) => `${pgIdent(c.name)} ${c.type}`).join(', ')})`);
      // The same name as earlier versions gave (IF NOT EXISTS must find their index), kept within 63 bytes.
      const index = shortPgName(`${target.table.slice(0, 40)}__pw_unique_${target.keys.join('_').slice(0, 12)}`);
      await client.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${pgIdent(index)} ON ${qualified} (${keys})`);
      await client.query(`CREATE TEMP TABLE pw_upsert (${target.columns.map((c) => `${pgIdent(c.name)} ${c.type}`).join(', ')}, pw_order bigserial) ON COMMIT DROP`);
      const rows = await source();
      const copy = client.query(copyFrom(`COPY pw_upsert (${columns}) FROM STDIN WITH (FORMAT ${rows.format})`));
      await pipeline(rows.open(), copy);
      const updates = target.columns.filter((c) => !target.keys.includes(c.name)).map((c) => `${pgIdent(c.name)} = EXCLUDED.${pgIdent(c.name)}`);
      const action = target.method === 'IGNORE' || updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`;
      const result = await client.query(
        `INSERT INTO ${qualified} (${columns}) SELECT ${columns} FROM (SELECT DISTINCT ON (${keys}) * FROM pw_upsert ORDER BY ${keys}, pw_order DESC) AS latest ON CONFLICT (${keys}) ${action}`,
      );
      await client.query('COMMIT');
      return result.rowCount ?? 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await client.end();
    }
  }

  private async copyInto(
    source: (options?: { csv?: boolean }) => Promise<CopySource>,
    target: { schema: string; table: string; ifExists: IfExists; columns: { name: string; type: string }[] },
  ): Promise<number> {
    const client = await this.client();
    const qualified = `${pgIdent(target.schema)}.${pgIdent(target.table)}`;
    const definition = target.columns.map((c) => `${pgIdent(c.name)} ${c.type}`).join(', ');
    try {
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pgIdent(target.schema)}`);
      const exists = (await client.query('SELECT to_regclass($1) IS NOT NULL AS found', [qualified])).rows[0].found as boolean;
      if (exists && target.ifExists === 'fail') {
        throw new Error(`Table ${target.schema}.${target.table} already exists and ifExists is "fail": drop it, or use replace or append`);
      }
      let into = qualified;
      if (target.ifExists === 'replace' || !exists) {
        const staging = shortPgName(`${target.table}__pw_${Date.now().toString(36)}`);
        into = `${pgIdent(target.schema)}.${pgIdent(staging)}`;
        await client.query(`CREATE TABLE ${into} (${definition})`);
      }
      const columnList = target.columns.map((c) => pgIdent(c.name)).join(', ');
      let rowsIn = await source();
      // Binary COPY needs the table's types to be the data's own; an existing table may differ
      // (bigint where the data has integer), and CSV lets PostgreSQL convert.
      if (rowsIn.format === 'binary' && into === qualified && !(await sameTypes(client, qualified, target.columns))) rowsIn = await source({ csv: true });
      // A table created in this transaction can take its rows frozen: PostgreSQL then need not
      // revisit every page after the load, and the COPY itself is about 15% faster (measured).
      const freeze = into !== qualified ? ', FREEZE' : '';
      const copy = client.query(copyFrom(`COPY ${into} (${columnList}) FROM STDIN WITH (FORMAT ${rowsIn.format}${freeze})`));
      await pipeline(rowsIn.open(), copy);
      const rows = Number(copy.rowCount ?? 0);
      if (into !== qualified) {
        if (exists) await client.query(`DROP TABLE ${qualified}`);
        await client.query(`ALTER TABLE ${into} RENAME TO ${pgIdent(target.table)}`);
      }
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await client.end();
    }
  }
}

/** Whether every column of an existing table has exactly the type the data would give it. */
async function sameTypes(client: pg.Client, qualified: string, columns: { name: string; type: string }[]): Promise<boolean> {
  const result = await client.query(
    `SELECT coalesce(bool_and(a.atttypid IS NOT NULL AND a.atttypid = t.type::regtype), false) AS same
       FROM unnest($1::text[], $2::text[]) AS t(name, type)
       LEFT JOIN pg_attribute a ON a.attrelid = $3::regclass AND a.attname = t.name AND NOT a.attisdropped`,
    [columns.map((c) => c.name), columns.map((c) => c.type), qualified],
  );
  return result.rows[0].same === true;
}
