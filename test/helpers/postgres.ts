import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { EmbeddedPostgres, freePort, type PostgresSettings } from '../../runtime/connectors/embedded-postgres.ts';

/**
 * A throwaway cluster of a system PostgreSQL (PIPEWRIGHT_TEST_PG_BIN, e.g. Debian's
 * /usr/lib/postgresql/15/bin), on 127.0.0.1; the project's default profile is pointed at it.
 */
async function startSystemPostgres(root: string, bin: string): Promise<{ settings: PostgresSettings; stop: () => Promise<void> }> {
  const dir = join(root, '.pg-system');
  mkdirSync(dir, { mode: 0o700 });
  const password = 'pipewright-test';
  writeFileSync(join(root, '.pg-password'), `${password}\n`);
  const asRoot = process.getuid?.() === 0;
  // cwd: a folder the postgres user may enter, or pg_ctl refuses to start.
  const run = (command: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { stdio: 'pipe', cwd: '/' })
      : execFileSync(join(bin, command), args, { stdio: 'pipe', cwd: '/' });
  if (asRoot) execFileSync('chown', ['-R', 'postgres', dir, join(root, '.pg-password')]);
  run('initdb', ['-D', dir, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${join(root, '.pg-password')}`]);
  const port = await freePort();
  run('pg_ctl', ['-D', dir, '-w', '-l', join(dir, 'server.log'), '-o', `-c listen_addresses=127.0.0.1 -c unix_socket_directories= -p ${port}`, 'start']);
  const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  writeFileSync(
    join(root, 'io_config.yaml'),
    `version: 0.1.1\ndefault:\n  POSTGRES_HOST: 127.0.0.1\n  POSTGRES_PORT: ${port}\n  POSTGRES_USER: postgres\n  POSTGRES_PASSWORD: ${password}\n  POSTGRES_DBNAME: postgres\n  POSTGRES_SCHEMA: public\n`,
  );
  return {
    settings: { host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', schema: 'public', connectTimeoutSeconds: 10 },
    // By PID: the test's temporary folder (the data folder with it) may already be gone by then.
    stop: async () => {
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/**
 * Starts a PostgreSQL for a test and returns how to query it. By default the project's embedded
 * server (the one `pipewright run` reuses when it finds it running); with PIPEWRIGHT_TEST_PG_BIN, a
 * system PostgreSQL, so CI covers a second major version. Folders are opened up because, as root,
 * PostgreSQL runs as the OS user postgres, which must reach the data folder.
 */
export async function startPostgres(
  t: TestContext,
  root: string,
): Promise<{ settings: PostgresSettings; query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]> }> {
  chmodSync(root, 0o755);
  const bin = process.env.PIPEWRIGHT_TEST_PG_BIN;
  let server: { settings: PostgresSettings; stop: () => Promise<void> };
  if (bin) {
    server = await startSystemPostgres(root, bin);
  } else {
    const embedded = new EmbeddedPostgres(root);
    server = { settings: await embedded.ensure(), stop: () => embedded.stop() };
  }
  const { settings } = server;
  const client = new pg.Client({ host: settings.host, port: settings.port, user: settings.user, password: settings.password, database: settings.database });
  client.on('error', () => undefined); // the server stopping at the end of the test is expected
  await client.connect();
  t.after(async () => {
    await client.end();
    await server.stop();
  });
  return { settings, query: async (sql, params = []) => (await client.query(sql, params)).rows as Record<string, unknown>[] };
}
