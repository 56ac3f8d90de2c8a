import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { setLongTimeout } from '../abortable-sleep.js';
import { interruptAll, withInterruptScope } from '../interrupts.js';
import { openDuck } from '../data/duck.js';
import { describeParquet } from '../data/persist.js';
import { Dataset } from '../data/dataset.js';
import { parquetSource } from '../data/sql-text.js';
import { writeItems } from './dynamic-items.js';
import type { BlockError, BlockTask, StoredOutput } from '../protocol.js';
import type { AttemptOptions, BlockRunner } from './block-runner.js';
import { answerPython, type PythonRequest } from './python-services.js';
import type { EmbeddedPostgres } from '../connectors/embedded-postgres.js';
import type { AttemptResult } from './worker-pool.js';

/** What the Python side answers for a task (python/pipewright_runner.py). */
type PythonMessage =
  | { kind: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { kind: 'done'; output: WrittenOutput; tests: { passed: number; total: number }; condition?: boolean }
  | { kind: 'failed'; error: BlockError }
  /** A mage_ai.io call the runtime's connectors carry out; answered on the process's stdin. */
  | ({ kind: 'request'; id: number } & PythonRequest);

/** What the Python side wrote: one output, or several (Mage's output_0, output_1, ...) as parts. */
interface WrittenOutput {
  kind: StoredOutput['kind'];
  files: string[];
  parts?: WrittenOutput[];
}

/** How an attempt ended, before its memory is measured. */
type Ended = AttemptResult extends infer R ? (R extends unknown ? Omit<R, 'peakMemoryBytes'> : never) : never;

interface PythonProcess {
  child: ChildProcess;
  /** Where its answers, prints and end go while it runs a task. */
  onMessage?: (message: PythonMessage) => void;
  onPrint?: (level: 'info' | 'error', line: string) => void;
  onEnd?: (why: string) => void;
}

/**
 * The interpreter Python blocks run with: the user's own, never a bundled one. PIPEWRIGHT_PYTHON,
 * else the project's .venv or venv, else python3 on PATH.
 */
export function pythonFor(root: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIPEWRIGHT_PYTHON) return env.PIPEWRIGHT_PYTHON;
  for (const venv of ['.venv', 'venv']) {
    for (const bin of process.platform === 'win32' ? ['Scripts/python.exe'] : ['bin/python3', 'bin/python']) {
      if (existsSync(join(root, venv, bin))) return join(root, venv, bin);
    }
  }
  return process.platform === 'win32' ? 'python' : 'python3';
}

/** The folder of pipewright_runner.py and the mage_ai stand-in: beside the CLI bundle, or PIPEWRIGHT_PYTHON_DIR (tests of the sources). */
function runnerDir(): string {
  if (process.env.PIPEWRIGHT_PYTHON_DIR) return process.env.PIPEWRIGHT_PYTHON_DIR;
  return join(typeof __dirname === 'string' ? __dirname : process.cwd(), 'python');
}

/** How long a stopped block's requests get to be interrupted (a cancel needs a connection). */
const ABORT_GRACE_MS = 1000;

/** The peak resident memory of a process (Linux), or 0 where it cannot be read. */
function peakOf(pid: number | undefined): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs Mage's Python blocks in the user's interpreter: a process runs one block at a time and is
 * reused for the next (pandas is imported once per process, not per block); a block that times out
 * or is cancelled has its process killed, and a fresh one takes the next. What a block prints is its
 * log; its DataFrame comes back as parquet, described here like every other block's output.
 */
export class PythonRunner implements BlockRunner {
  private readonly idle: PythonProcess[] = [];
  private readonly all = new Set<PythonProcess>();

  private duck: Promise<DuckDBConnection> | undefined;

  constructor(private readonly setup: { root: string; env: Record<string, string>; embedded: () => EmbeddedPostgres }) {}

  private spawn(): PythonProcess {
    const python = pythonFor(this.setup.root);
    const child = spawn(python, ['-u', join(runnerDir(), 'pipewright_runner.py')], {
      cwd: this.setup.root,
      // The project's .env and dev.env under the real environment, as for every block.
      env: { ...this.setup.env, ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const proc: PythonProcess = { child };
    // A process that died as a task was written to it is reported by its exit, not by the pipe's error.
    child.stdin!.on('error', () => undefined);
    createInterface({ input: child.stdout! }).on('line', (line) => proc.onPrint?.('info', line));
    createInterface({ input: child.stderr! }).on('line', (line) => proc.onPrint?.('error', line));
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
      let message: PythonMessage;
      try {
        message = JSON.parse(line) as PythonMessage;
      } catch {
        return proc.onPrint?.('info', line);
      }
      proc.onMessage?.(message);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'ENOENT'
          ? `Cannot start Python: "${python}" is not there. Python blocks run with PIPEWRIGHT_PYTHON, else the project's .venv or venv, else python3 on PATH: install Python 3 or point PIPEWRIGHT_PYTHON at one`
          : `Cannot start Python (${python}): ${error.message}`;
      this.forget(proc);
      proc.onEnd?.(why);
    });
    child.on('exit', (code, signal) => {
      this.forget(proc);
      proc.onEnd?.(`The Python interpreter (${python}) exited (${signal ?? `code ${code}`}) without finishing the block`);
    });
    this.all.add(proc);
    return proc;
  }

  private forget(proc: PythonProcess): void {
    this.all.delete(proc);
    const at = this.idle.indexOf(proc);
    if (at >= 0) this.idle.splice(at, 1);
  }

  /** Runs one attempt of a Python block; a timeout or a cancel kills its process. */
  run(task: BlockTask, options: AttemptOptions): Promise<AttemptResult> {
    const proc = this.idle.pop() ?? this.spawn();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: Ended, reusable: boolean) => {
        if (settled) return;
        settled = true;
        timer?.clear();
        options.signal.removeEventListener('abort', onAbort);
        proc.onMessage = proc.onPrint = proc.onEnd = undefined;
        const peakMemoryBytes = Math.max(peakOf(proc.child.pid), process.memoryUsage.rss());
        if (reusable && this.all.has(proc)) this.idle.push(proc);
        else {
          this.kill(proc);
          // What the block asked of the runtime and is still under way (a PostgreSQL statement, a BigQuery job) stops with it.
          void interruptAll(ABORT_GRACE_MS, scope);
        }
        resolve({ ...result, peakMemoryBytes } as AttemptResult);
      };
      const scope = {};
      const onAbort = () => finish({ status: 'cancelled', error: { code: 'cancelled', message: 'Cancelled' } }, false);
      const timeout = options.timeoutSeconds;
      const timer =
        timeout && timeout > 0
          ? setLongTimeout(
              () =>
                finish(
                  { status: 'failed', error: { code: 'timeout', message: options.timeoutMessage ?? `Timed out after ${timeout} s (the block's timeout): it was stopped` } },
                  false,
                ),
              timeout * 1000,
            )
          : undefined;
      proc.onPrint = (level, line) => options.onMessage({ kind: 'log', level, message: line });
      proc.onEnd = (why) => finish({ status: 'failed', error: { code: 'runtime', message: why, file: task.block.file } }, false);
      proc.onMessage = (message) => {
        if (message.kind === 'log') options.onMessage(message);
        else if (message.kind === 'request') withInterruptScope(scope, () => this.answer(proc, task, message));
        else if (message.kind === 'failed') finish({ status: 'failed', error: message.error }, true);
        else {
          this.output(task, message.output).then(
            (output) => finish({ status: 'completed', output, tests: message.tests, ...(message.condition === undefined ? {} : { condition: message.condition }) }, true),
            (error: unknown) =>
              finish({ status: 'failed', error: (error as { detail?: BlockError }).detail ?? { code: 'runtime', message: (error as Error).message, file: task.block.file } }, true),
          );
        }
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      if (options.signal.aborted) onAbort();
      else (proc.child.stdin as Writable).write(`${JSON.stringify(task)}\n`);
    });
  }

  /** Carries out a block's mage_ai.io request and writes the answer (or the error) to the process. */
  private answer(proc: PythonProcess, task: BlockTask, request: Extract<PythonMessage, { kind: 'request' }>): void {
    const reply = (answer: { value: unknown } | { error: string }) => {
      if (this.all.has(proc)) (proc.child.stdin as Writable).write(`${JSON.stringify({ id: request.id, ...answer })}\n`);
    };
    answerPython(task, request, { embedded: this.setup.embedded, duck: () => (this.duck ??= openDuck()) }).then(
      (value) => reply({ value: value ?? null }),
      (error: unknown) => reply({ error: (error as Error).message }),
    );
  }

  /** The block's output as every block's: a table described from its parquet, JSON with its size. */
  private async output(task: BlockTask, written: WrittenOutput): Promise<StoredOutput> {
    const duck = () => (this.duck ??= openDuck());
    const described = async (one: WrittenOutput): Promise<{ output: StoredOutput; value: unknown }> => {
      if (one.kind === 'table') {
        const output = await describeParquet(await duck(), one.files);
        return { output, value: task.dynamic ? new Dataset(await duck(), parquetSource(one.files)) : undefined };
      }
      if (one.kind === 'none') return { output: { kind: 'none', files: [], rows: 0, columns: [], bytes: 0 }, value: undefined };
      const value: unknown = JSON.parse(readFileSync(one.files[0], 'utf8'));
      return { output: { kind: 'json', files: one.files, rows: Array.isArray(value) ? value.length : 1, columns: [], bytes: statSync(one.files[0]).size }, value };
    };
    const { output, value } = await described(written);
    // Several outputs (a table among them): each stored as its own, the next block gets them as a list.
    if (written.parts) output.parts = await Promise.all(written.parts.map(async (part) => (await described(part)).output));
    // A dynamic block's list (or Mage's [items, metadata], or a table's rows) becomes its items, as for every block.
    return task.dynamic ? { ...output, items: await writeItems(task, value) } : output;
  }

  private kill(proc: PythonProcess): void {
    this.forget(proc);
    proc.child.kill('SIGKILL');
  }

  /** Stops every process. */
  async close(): Promise<void> {
    // Killed and waited for (at most 2 s), so none is left behind when the runtime exits right after.
    const ended = [...this.all].map(
      (proc) => new Promise<void>((resolve) => (proc.child.exitCode !== null || proc.child.signalCode !== null ? resolve() : proc.child.once('exit', () => resolve()))),
    );
    for (const proc of [...this.all]) this.kill(proc);
    await Promise.race([Promise.all(ended), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    const duck = await this.duck;
    duck?.closeSync();
  }
}
