/** The kinds of block a TypeScript file can define. */
export type BlockKind = 'data_loader' | 'transformer' | 'data_exporter' | 'custom' | 'sensor';

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
