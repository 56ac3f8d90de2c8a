import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '../bin/pipewright.js');

/**
 * Runs `pipewright <args> --events <events>` and times it: the wall time, the largest peak memory a
 * block reported, and each block's time as a line for the bench's log.
 */
export async function timedRun(cwd: string, args: string[], options: { events: string; env?: NodeJS.ProcessEnv }): Promise<{ ms: number; peak: number; blocks: string }> {
  const start = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    spawn(process.execPath, [CLI, ...args, '--events', options.events], { cwd, stdio: 'ignore', env: options.env ?? process.env }).on('exit', resolve);
  });
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`pipewright ${args.join(' ')} failed: see ${options.events}`);
  const finished = readFileSync(options.events, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.kind === 'block-finished');
  return { ms, peak: Math.max(...finished.map((e) => e.peakMemoryBytes ?? 0)), blocks: finished.map((e) => `${e.block} ${e.durationMs} ms`).join(', ') };
}
