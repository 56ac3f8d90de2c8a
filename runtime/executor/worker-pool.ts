import { join } from 'node:path';
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { setLongTimeout } from '../abortable-sleep.js';
import { acquireLock, releaseLock, releaseLocksOf } from './process-locks.js';
import type { BlockError, BlockTask, ServiceRequest, StoredOutput, WorkerCommand, WorkerMessage } from '../protocol.js';

/** How one attempt of a block ended. */
export type AttemptResult =
  | { status: 'completed'; output: StoredOutput; tests: { passed: number; total: number }; condition?: boolean; peakMemoryBytes: number }
  | { status: 'failed'; error: BlockError; peakMemoryBytes: number }
  | { status: 'cancelled'; error: BlockError; peakMemoryBytes: number };

function errorText(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return error instanceof Error ? `${error.message}${cause}` : String(error);
}

/** The worker script: beside the CLI bundle, or where PIPEWRIGHT_BLOCK_WORKER says (tests of the sources). */
function workerScript(): string {
  if (process.env.PIPEWRIGHT_BLOCK_WORKER) return process.env.PIPEWRIGHT_BLOCK_WORKER;
  return join(typeof __dirname === 'string' ? __dirname : process.cwd(), 'block-worker.js');
}

/**
 * How long a stopped block's worker gets to interrupt what it runs outside JavaScript before it is
 * terminated anyway (a block in an endless JavaScript loop never answers).
 */
const ABORT_GRACE_MS = 1000;

/**
 * A block's JavaScript heap (worker resourceLimits): past it the worker stops with an out-of-memory
 * error that fails the block, instead of the whole process. PIPEWRIGHT_BLOCK_HEAP_MB sets it.
 */
function blockHeapMb(): number {
  return Number(process.env.PIPEWRIGHT_BLOCK_HEAP_MB) || 4096;
}

/**
 * The most memory the run's process may hold (resident, sampled every 200 ms): Buffers and native
 * memory are outside the heap limit (a block allocated 3 GB of Buffers in 5 s). Past it, the running
 * blocks are stopped and fail. PIPEWRIGHT_MAX_MEMORY_MB sets it; by default 80% of the machine's memory.
 */
function maxMemoryBytes(): number {
  const mb = Number(process.env.PIPEWRIGHT_MAX_MEMORY_MB);
  return mb > 0 ? mb * 1024 * 1024 : totalmem() * 0.8;
}

/** How long a terminated worker may take to exit before its attempt ends without it (native code that would not stop). */
const EXIT_GRACE_MS = 5000;

interface PooledWorker {
  worker: Worker;
  /** Where the worker's messages and output go while it runs a task. */
  onMessage?: (message: WorkerMessage) => void;
  onExit?: (code: number) => void;
}

/**
 * Block workers for one run. A worker runs one block at a time and is reused for the next, so a
 * pipeline of small blocks does not pay a thread start and module loads per block. A block that times
 * out or is cancelled has its worker terminated (which stops even an endless loop); a fresh worker
 * takes its place. The runtime's own event loop never waits on block code.
 */
export class WorkerPool {
  private readonly idle: PooledWorker[] = [];
  private readonly all = new Set<PooledWorker>();

  /** `provide` answers workers' requests for services, such as the embedded PostgreSQL. */
  constructor(private readonly provide: (service: ServiceRequest) => Promise<unknown> = async (s) => Promise.reject(new Error(`No ${s} here`))) {}

  /** Starts workers ahead of need, so the first blocks do not wait for them. */
  warm(count: number): void {
    while (this.idle.length < count) this.idle.push(this.spawn());
  }

  private spawn(): PooledWorker {
    const pooled: PooledWorker = { worker: new Worker(workerScript(), { stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: blockHeapMb() } }) };
    const forward = (level: 'info' | 'error') => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) pooled.onMessage?.({ kind: 'log', level, message: line });
    };
    pooled.worker.stdout.on('data', forward('info'));
    pooled.worker.stderr.on('data', forward('error'));
    pooled.worker.on('message', (message: WorkerMessage) => pooled.onMessage?.(message));
    pooled.worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const message = outOfMemory
        ? `The block used more than ${blockHeapMb()} MB of JavaScript memory and was stopped: work through the data in batches (dataset.batches()) or with SQL (dataset.sql()) instead of holding it all (PIPEWRIGHT_BLOCK_HEAP_MB raises the limit)`
        : error.message;
      pooled.onMessage?.({ kind: 'failed', error: { code: outOfMemory ? 'memory' : 'runtime', message, stack: outOfMemory ? undefined : error.stack } });
    });
    pooled.worker.on('exit', (code) => {
      releaseLocksOf(pooled);
      this.all.delete(pooled);
      const at = this.idle.indexOf(pooled);
      if (at >= 0) this.idle.splice(at, 1);
      pooled.onExit?.(code);
    });
    this.all.add(pooled);
    return pooled;
  }

  /** Runs one attempt of a block; a timeout or a cancel terminates its worker. */
  run(task: BlockTask, options: { timeoutSeconds?: number; timeoutMessage?: string; signal: AbortSignal; onMessage: (message: WorkerMessage) => void }): Promise<AttemptResult> {
    const pooled = this.idle.pop() ?? this.spawn();
    return new Promise((resolve) => {
      let peak = process.memoryUsage.rss();
      let stopped: { error: BlockError; status: 'failed' | 'cancelled' } | undefined;
      let settled = false;
      const limit = maxMemoryBytes();
      const sample = setInterval(() => {
        const rss = process.memoryUsage.rss();
        peak = Math.max(peak, rss);
        if (rss > limit) {
          const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
          stop(
            {
              code: 'memory',
              message: `The run's process held ${mb(rss)} MB, more than its limit of ${mb(limit)} MB, and the block was stopped (PIPEWRIGHT_MAX_MEMORY_MB sets the limit)`,
            },
            'failed',
          );
        }
      }, 200);
      const finish = (result: AttemptResult, reusable: boolean) => {
        if (settled) return;
        settled = true;
        clearInterval(sample);
        timer?.clear();
        options.signal.removeEventListener('abort', onAbort);
        pooled.onMessage = undefined;
        pooled.onExit = undefined;
        if (reusable && this.all.has(pooled)) this.idle.push(pooled);
        resolve({ ...result, peakMemoryBytes: Math.max(peak, process.memoryUsage.rss()) } as AttemptResult);
      };
      // The worker first interrupts what runs outside JavaScript (DuckDB, a PostgreSQL statement, a
      // BigQuery job), which terminate() alone cannot stop and would wait for; then it is terminated.
      // The reason we stopped it is what the attempt reports.
      let terminating: NodeJS.Timeout | undefined;
      const terminate = () => {
        clearTimeout(terminating);
        void pooled.worker.terminate();
        // A thread held by native code that ignored the interrupt may never exit: the attempt ends
        // all the same, and the worker is left behind, never reused.
        setTimeout(() => {
          if (!stopped || settled) return;
          pooled.worker.unref();
          this.all.delete(pooled);
          finish({ ...stopped, peakMemoryBytes: peak }, false);
        }, EXIT_GRACE_MS).unref();
      };
      const stop = (error: BlockError, status: 'failed' | 'cancelled') => {
        if (stopped) return;
        stopped = { error, status };
        pooled.worker.postMessage({ kind: 'abort' } satisfies WorkerCommand);
        terminating = setTimeout(terminate, ABORT_GRACE_MS);
      };
      const onAbort = () => stop({ code: 'cancelled', message: 'Cancelled' }, 'cancelled');
      const timeout = options.timeoutSeconds;
      const timer =
        timeout && timeout > 0
          ? setLongTimeout(
              () => stop({ code: 'timeout', message: options.timeoutMessage ?? `Timed out after ${timeout} s (the block's timeout): it was stopped` }, 'failed'),
              timeout * 1000,
            )
          : undefined;
      pooled.onExit = (code) => {
        if (stopped) finish({ ...stopped, peakMemoryBytes: peak }, false);
        else finish({ status: 'failed', error: { code: 'runtime', message: `The block's worker exited (code ${code}) without a result` }, peakMemoryBytes: peak }, false);
      };
      pooled.onMessage = (message) => {
        if (message.kind === 'aborted') terminate();
        // What an interrupted block says next (DuckDB's "Interrupted!") is not why it stopped; but a
        // block that finished before the interrupt reached it did finish (its export committed).
        else if (stopped && message.kind === 'failed') return;
        else if (stopped && message.kind === 'done') {
          finish({ status: 'completed', output: message.output, tests: message.tests, condition: message.condition, peakMemoryBytes: peak }, false);
          terminate();
        } else if (message.kind === 'request') {
          const answer =
            message.service === 'warehouse-lock'
              ? acquireLock('warehouse', pooled)
              : message.service === 'warehouse-unlock'
                ? Promise.resolve(releaseLock('warehouse', pooled))
                : this.provide(message.service);
          answer.then(
            (value) => pooled.worker.postMessage({ kind: 'response', id: message.id, value } satisfies WorkerCommand),
            (error: unknown) => pooled.worker.postMessage({ kind: 'response', id: message.id, error: errorText(error) } satisfies WorkerCommand),
          );
        } else if (message.kind === 'done')
          finish({ status: 'completed', output: message.output, tests: message.tests, condition: message.condition, peakMemoryBytes: peak }, true);
        else if (message.kind === 'failed') finish({ status: 'failed', error: message.error, peakMemoryBytes: peak }, true);
        else options.onMessage(message);
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      if (options.signal.aborted) onAbort();
      else pooled.worker.postMessage({ kind: 'run', task } satisfies WorkerCommand);
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all([...this.all].map((p) => p.worker.terminate()));
  }
}
