import { chmodSync } from 'node:fs';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { EmbeddedPostgres, type PostgresSettings } from '../../runtime/connectors/embedded-postgres.ts';

/**
 * Starts the project's embedded PostgreSQL for a test (the same server `pipewright run` reuses when
 * it finds it running) and stops it after. Folders are opened up because, as root, PostgreSQL runs as
 * the OS user postgres, which must reach the data folder.
 */
export async function startPostgres(t: TestContext, root: string): Promise<{ settings: PostgresSettings; query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]> }> {
  chmodSync(root, 0o755);
  const server = new EmbeddedPostgres(root);
  const settings = await server.ensure();
  const client = new pg.Client({ host: settings.host, port: settings.port, user: settings.user, password: settings.password, database: settings.database });
  await client.connect();
  t.after(async () => {
    await client.end();
    await server.stop();
  });
  return { settings, query: async (sql, params = []) => (await client.query(sql, params)).rows as Record<string, unknown>[] };
}
