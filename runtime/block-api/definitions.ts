/** The kinds of block a TypeScript file can define. */
export type BlockKind = 'data_loader' | 'transformer' | 'data_exporter' | 'custom' | 'sensor' | 'conditional' | 'callback';

const BLOCK = Symbol.for('pipewright.block');
const TEST = Symbol.for('pipewright.test');

/** What `dataLoader(...)` and its siblings return: the block's kind and its function. */
export interface BlockDefinition {
  readonly [BLOCK]: true;
  readonly kind: BlockKind;
  readonly run: (...args: unknown[]) => unknown;
}

/** What `test(...)` returns: a check run on the block's output. */
export interface TestDefinition {
  readonly [TEST]: true;
  readonly kind: 'test';
  readonly check: (...args: unknown[]) => unknown;
}

/** Makes the wrapper for one kind of block. */
export function defineBlock(kind: BlockKind): (run: (...args: never[]) => unknown) => BlockDefinition {
  return (run) => {
    if (typeof run !== 'function') throw new TypeError(`${kind}(...) takes the block's function, got ${typeof run}`);
    return { [BLOCK]: true, kind, run: run as (...args: unknown[]) => unknown };
  };
}

/** What a callback block's file exports: a handler for its parent's success, failure, or both. */
export interface CallbackHandlers {
  onSuccess?: (...outputThenContext: never[]) => unknown;
  onFailure?: (error: Error, ctx: never) => unknown;
}

/**
 * Wraps a callback block (Mage's @callback('success') / @callback('failure')): its run takes which
 * handler to call first, then that handler's arguments. A missing handler does nothing.
 */
export function defineCallback(handlers: CallbackHandlers): BlockDefinition {
  const known = ['onSuccess', 'onFailure'];
  if (handlers === null || typeof handlers !== 'object' || !Object.keys(handlers).some((k) => known.includes(k))) {
    throw new TypeError('callback(...) takes { onSuccess, onFailure }: at least one of them, each a function');
  }
  for (const key of known) {
    const handler = (handlers as Record<string, unknown>)[key];
    if (handler !== undefined && typeof handler !== 'function') throw new TypeError(`callback({ ${key} }) must be a function, got ${typeof handler}`);
  }
  const run = (on: unknown, ...args: unknown[]) => {
    const handler = on === 'success' ? handlers.onSuccess : handlers.onFailure;
    return (handler as ((...a: unknown[]) => unknown) | undefined)?.(...args);
  };
  return { [BLOCK]: true, kind: 'callback', run };
}

/** Wraps a check of the block's output (Mage's @test). */
export function defineTest(check: (...args: never[]) => unknown): TestDefinition {
  if (typeof check !== 'function') throw new TypeError(`test(...) takes a function, got ${typeof check}`);
  return { [TEST]: true, kind: 'test', check: check as (...args: unknown[]) => unknown };
}

/** Whether a module export is a block definition. */
export function isBlockDefinition(value: unknown): value is BlockDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BLOCK] === true;
}

/** Whether a module export is a test definition. */
export function isTestDefinition(value: unknown): value is TestDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TEST] === true;
}
