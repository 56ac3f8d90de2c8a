import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI, run as a user runs it: through the package's bin. */
export const BIN = join(import.meta.dirname, '../../bin/pipewright.js');

/** Runs `pipewright ...args` in `cwd` and returns its exit code and output. */
export function pipewright(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
