import type { DuckDBConnection } from '@duckdb/node-api';
import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Dataset, isDataset } from '../data/dataset.js';
import { persistOutput } from '../data/persist.js';
import { parquetSource, sqlString } from '../data/sql-text.js';
import type { PostgresSettings } from './embedded-postgres.js';
import { pgIdent, postgresType } from './postgres-types.js';

/** What to do when the table exists (Mage's if_exists). */
export type IfExists = 'replace' | 'append' | 'fail';

/** Options of `export`. */
export interface PostgresExportOptions {
  table: string;
  schema?: string;
  ifExists?: IfExists;
}

/** A connection to PostgreSQL for a block: export datasets with COPY, run queries. */
export class PostgresIo {
  constructor(
    private readonly settings: PostgresSettings,
    private readonly duck: () => Promise<DuckDBConnection>,
    private readonly workDir: string,
  ) {}

  private async client(): Promise<pg.Client> {
    const client = new pg.Client({
      host: this.settings.host,
      port: this.settings.port,
      user: this.settings.user,
      password: this.settings.password,
      database: this.settings.database,
      connectionTimeoutMillis: this.settings.connectTimeoutSeconds * 1000,
      application_name: 'pipewright',
    });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`Cannot connect to PostgreSQL at ${this.settings.host}:${this.settings.port} as ${this.settings.user}: ${(error as Error).message}`, { cause: error });
    }
    return client;
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
   * Writes a dataset (or rows) to a table with COPY, never row by row. `replace` loads into a staging
   * table and swaps it in within one transaction, and `append` copies within one: a load that fails
   * or is killed half-way leaves the table exactly as it was. Returns the number of rows written.
   */
  async export(data: unknown, options: PostgresExportOptions): Promise<number> {
    const schema = options.schema ?? this.settings.schema;
    const ifExists = options.ifExists ?? 'replace';
    const duck = await this.duck();
    const dir = join(this.workDir, `postgres-export-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    try {
      const dataset = await this.asDataset(data, duck, dir);
      const columns = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM ${dataset.source}`)).getRowObjectsJS().map((r) => ({
        name: String(r.column_name),
        type: postgresType(String(r.column_type)),
      }));
      const csv = join(dir, 'data.csv');
      await duck.run(`COPY (SELECT * FROM ${dataset.source}) TO ${sqlString(csv)} (FORMAT csv, HEADER false)`);
      return await this.load(csv, { schema, table: options.table, ifExists, columns });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async asDataset(data: unknown, duck: DuckDBConnection, dir: string): Promise<Dataset> {
    if (isDataset(data)) return data;
    const stored = await persistOutput(duck, data, { dir: join(dir, 'rows') });
    if (stored.kind !== 'table') throw new Error('postgres.export takes a dataset, rows or row batches');
    return new Dataset(duck, parquetSource(stored.files));
  }

  private async load(csv: string, target: { schema: string; table: string; ifExists: IfExists; columns: { name: string; type: string }[] }): Promise<number> {
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
        const staging = `${target.table.slice(0, 40)}__pw_${Date.now().toString(36)}`;
        into = `${pgIdent(target.schema)}.${pgIdent(staging)}`;
        await client.query(`CREATE TABLE ${into} (${definition})`);
      }
      const columnList = target.columns.map((c) => pgIdent(c.name)).join(', ');
      const copy = client.query(copyFrom(`COPY ${into} (${columnList}) FROM STDIN WITH (FORMAT csv)`));
      await pipeline(createReadStream(csv), copy);
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
