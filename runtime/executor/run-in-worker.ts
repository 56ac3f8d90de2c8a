import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BlockError, BlockTask, StoredOutput, WorkerMessage } from '../protocol.js';

/** How one attempt of a block ended. */
export type AttemptResult =
  | { status: 'completed'; output: StoredOutput; tests: { passed: number; total: number }; peakMemoryBytes: number }
  | { status: 'failed'; error: BlockError; peakMemoryBytes: number }
  | { status: 'cancelled'; error: BlockError; peakMemoryBytes: number };

/** The worker script: beside the CLI bundle, or where PIPEWRIGHT_BLOCK_WORKER says (tests of the sources). */
function workerScript(): string {
  if (process.env.PIPEWRIGHT_BLOCK_WORKER) return process.env.PIPEWRIGHT_BLOCK_WORKER;
  return join(typeof __dirname === 'string' ? __dirname : process.cwd(), 'block-worker.js');
}

/**
 * Runs one attempt of a block in its own worker thread. A timeout or a cancel terminates the
 * worker, which stops even a block stuck in an endless loop; the runtime's own event loop never waits
 * on block code.
 */
export function runInWorker(
  task: BlockTask,
  options: { timeoutSeconds?: number; signal: AbortSignal; onMessage: (message: WorkerMessage) => void },
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const worker = new Worker(workerScript(), { workerData: task, stdout: true, stderr: true });
    let peak = 0;
    let settled = false;
    const sample = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 200);
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearInterval(sample);
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      peak = Math.max(peak, process.memoryUsage.rss());
      resolve({ ...result, peakMemoryBytes: peak });
      void worker.terminate();
    };
    // Terminating makes the worker exit; the reason we stopped it is what the attempt reports.
    let stopped: { error: BlockError; status: 'failed' | 'cancelled' } | undefined;
    const stop = (error: BlockError, status: 'failed' | 'cancelled') => {
      stopped ??= { error, status };
      void worker.terminate();
    };
    const onAbort = () => stop({ code: 'cancelled', message: 'Cancelled' }, 'cancelled');
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();
    const timeout = options.timeoutSeconds;
    const timer =
      timeout && timeout > 0
        ? setTimeout(() => stop({ code: 'timeout', message: `Timed out after ${timeout} s (the block's timeout): it was stopped` }, 'failed'), timeout * 1000)
        : undefined;
    const forward = (level: 'info' | 'error') => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) options.onMessage({ kind: 'log', level, message: line });
    };
    worker.stdout.on('data', forward('info'));
    worker.stderr.on('data', forward('error'));
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'done') finish({ status: 'completed', output: message.output, tests: message.tests, peakMemoryBytes: peak });
      else if (message.kind === 'failed') finish({ status: 'failed', error: message.error, peakMemoryBytes: peak });
      else options.onMessage(message);
    });
    worker.on('error', (error) => finish({ status: 'failed', error: { code: 'runtime', message: error.message, stack: error.stack }, peakMemoryBytes: peak }));
    worker.on('exit', (code) => {
      if (stopped) finish({ ...stopped, peakMemoryBytes: peak });
      else finish({ status: 'failed', error: { code: 'runtime', message: `The block's worker exited (code ${code}) without a result` }, peakMemoryBytes: peak });
    });
  });
}
