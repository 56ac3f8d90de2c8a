import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { heartbeatFile, runDir } from '../layout.js';

/** A sortable, readable run id: start time, then a random suffix. */
export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** A block's name as a folder name: a dynamic child's `<uuid>:<key>` becomes `<uuid>.<key>`. */
export function safeName(uuid: string): string {
  return uuid.replace(/:/g, '.').replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The folder of one block's run: output/, work/ and log.txt. */
export function blockRunDir(root: string, runId: string, block: string): string {
  return join(runDir(root, runId), safeName(block));
}

/**
 * Touches the run's heartbeat file every 2 s until the returned function is called: if the process
 * is killed, the history's reader knows until when it ran.
 */
export function startHeartbeat(root: string, runId: string): () => void {
  const file = heartbeatFile(root, runId);
  const beat = () => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      mkdirSync(dirname(file), { recursive: true });
      closeSync(openSync(file, 'a'));
    }
  };
  beat();
  const timer = setInterval(beat, 2000);
  timer.unref();
  return () => clearInterval(timer);
}
