import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * Writes a file so that a reader sees either the old content or the new, never half of it: the text
 * goes to a temporary file beside it, which is then renamed over the target.
 */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text, { flag: 'w' });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new Error(`Cannot write ${path}`, { cause: error });
  }
}

/** Creates a file that must not exist yet; never overwrites what a user has. */
export function createFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`${path} already exists: Pipewright does not overwrite it`, { cause: error });
    }
    throw new Error(`Cannot create ${path}`, { cause: error });
  }
}
