import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The server running on a data folder (postmaster.pid: its pid on line 1, its port on line 4), if it is alive. */
function postmaster(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(pid), 0);
    return { pid: Number(pid), port: Number(port) };
  } catch {
    return undefined;
  }
}

/** The port of a server already running on this data folder, if it is alive. */
export function runningPort(dataDir: string): number | undefined {
  return postmaster(dataDir)?.port;
}

/**
 * Stops the server running on a data folder, whoever started it (SIGINT: PostgreSQL's fast shutdown,
 * which rolls back open transactions), and waits until it is gone. Returns whether one was running.
 */
export async function stopServerOn(dataDir: string): Promise<boolean> {
  const pid = postmaster(dataDir)?.pid;
  if (pid === undefined) return false;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return false;
  }
  for (let i = 0; i < 600; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`The embedded PostgreSQL (pid ${pid}) did not stop within 30 s`);
}
