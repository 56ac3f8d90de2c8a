import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Work that runs outside JavaScript and outlives a stopped thread: a query in DuckDB's threads, a
 * statement on a PostgreSQL server, a BigQuery job. Terminating a block's worker stops its
 * JavaScript, but not these: a DuckDB query kept the worker (and the run) alive after its timeout,
 * and a server keeps running a statement whose client went away. Whoever starts such work registers
 * how to interrupt it; the block worker calls every hook when its block is stopped.
 */
const hooks = new Map<() => unknown, object | undefined>();
/** The attempt whose work registers now, where one process runs several (the Python runner's requests). */
const scopes = new AsyncLocalStorage<object>();

/** Registers how to interrupt work under way; returns the function that unregisters it. */
export function onInterrupt(interrupt: () => unknown): () => void {
  hooks.set(interrupt, scopes.getStore());
  return () => hooks.delete(interrupt);
}

/** Runs `work` so that the interrupts it registers belong to `scope` (see interruptAll). */
export function withInterruptScope<T>(scope: object, work: () => T): T {
  return scopes.run(scope, work);
}

/**
 * Interrupts all registered work (or only what was registered within `scope`), waiting at most
 * `timeoutMs` for the hooks (a cancel request may need a connection).
 */
export async function interruptAll(timeoutMs: number, scope?: object): Promise<void> {
  const chosen = [...hooks].filter(([, owner]) => scope === undefined || owner === scope).map(([interrupt]) => interrupt);
  const pending = chosen.map(async (interrupt) => {
    try {
      await interrupt();
    } catch {
      // Interrupting is best effort: the thread is terminated next whatever happens here.
    }
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
