import type { BlockError, BlockStatus, RunEvent, RunStatus, StoredOutput } from '../protocol.js';
import { retryDelay, type RetryConfig } from './retry.js';
import { gather, type Unit } from './run-units.js';

// The state of one run as a machine: told what happened to its units (started, ended, waited for a
// retry, the run was cancelled), it says what may happen next and how the run stands. No I/O, no
// timers, no clock: the executor (run-pipeline.ts) does those and feeds the results back.

/** What the state knows of the pipeline: read by the caller, never by the state. */
export interface RunStateInput {
  /** The blocks to run, in run order. */
  plan: readonly string[];
  /** Every block's upstream blocks, in the run or not. */
  upstream: ReadonlyMap<string, readonly string[]>;
  /** Blocks that run once per item of a dynamic block: that dynamic block. */
  fannedBy: ReadonlyMap<string, string>;
  /** Blocks whose runs per item reach their downstream blocks as one output (reduce_output). */
  reduces: ReadonlySet<string>;
  /** Outputs of earlier runs, by block or `<uuid>:<key>` name: what blocks outside the run gave. */
  earlier: ReadonlyMap<string, { runId: string; output: StoredOutput }>;
  /** Units running at once (retry waits included). */
  concurrency: number;
  retry: (block: string) => RetryConfig;
  /** After a block fails, start no other (a trigger without allow_blocks_to_fail). */
  stopOnBlockFailure?: boolean;
}

/** An upstream output a unit reads: `item` picks one item of a dynamic block's output. */
export interface UnitInput {
  uuid: string;
  output: StoredOutput;
  item?: number;
}

/** What a finished event says beyond the status, passed through the state unchanged. */
export type FinishDetails = Partial<Pick<Extract<RunEvent, { kind: 'block-finished' }>, 'startedAt' | 'durationMs' | 'tests' | 'peakMemoryBytes' | 'upstreamFrom'>>;

/** How an attempt of a unit ended, as the executor reports it. */
export interface Outcome {
  status: BlockStatus;
  attempt: number;
  error?: BlockError;
  output?: StoredOutput;
  /** Never retried: the block did not run (no file, a syntax error, a condition). */
  final?: boolean;
  details?: FinishDetails;
}

/** A unit (or a block run per item) has its final status. */
export interface Settled {
  kind: 'settled';
  name: string;
  status: BlockStatus;
  attempt: number;
  error?: BlockError;
  output?: StoredOutput;
  /** A child of a block run per item: that block. */
  parent?: string;
  /** A block run per item: its children. */
  children?: string[];
  details?: FinishDetails;
}

/** What the executor is to do next. */
export type Step =
  | { kind: 'start'; unit: Unit; attempt: number; inputs: UnitInput[]; upstreamFrom: Record<string, string> }
  /** A block now runs as these children, one per item of its dynamic block. */
  | { kind: 'fanned-out'; block: string; children: string[] }
  /** Wait, then tell the state with `retryDue`. */
  | { kind: 'retry'; name: string; attempt: number; delaySeconds: number; error: BlockError }
  | Settled;

interface Running {
  unit: Unit;
  attempt: number;
  inputs: UnitInput[];
  upstreamFrom: Record<string, string>;
  /** Waiting for its retry: the last attempt's outcome. */
  waiting?: Outcome;
  due?: boolean;
}

const OK_UPSTREAM: ReadonlySet<BlockStatus> = new Set(['completed', 'condition_failed']);

export class RunState {
  /** Each unit's final status, in the order they settled. */
  readonly results = new Map<string, { status: BlockStatus; error?: BlockError; output?: StoredOutput }>();
  private readonly pending: string[];
  private readonly queue: Unit[] = [];
  private readonly running = new Map<string, Running>();
  private readonly children = new Map<string, { names: string[]; left: number }>();
  private readonly inRun: ReadonlySet<string>;
  private cancelled = false;

  constructor(private readonly input: RunStateInput) {
    this.pending = [...input.plan];
    this.inRun = new Set(input.plan);
  }

  /** Nothing is left to start, run or wait for. */
  get done(): boolean {
    return this.pending.length === 0 && this.queue.length === 0 && this.running.size === 0;
  }

  /** The run was cancelled (or timed out): nothing more starts, and a failure now counts as cancelled. */
  cancel(): void {
    this.cancelled = true;
  }

  /** What may happen now: blocks whose upstream blocks have settled are expanded, units start as slots free up. */
  next(): Step[] {
    const steps: Step[] = [];
    for (let i = 0; i < this.pending.length;) {
      if (!this.cancelled && !this.upstreamSettled(this.pending[i])) i++;
      else steps.push(...this.expand(this.pending.splice(i, 1)[0]));
    }
    for (const [name, run] of this.running) {
      if (!run.due) continue;
      if (this.cancelled) steps.push(...this.settle(run.unit, { ...run.waiting!, status: 'cancelled', error: { code: 'cancelled', message: 'Cancelled' } }));
      else {
        this.running.set(name, { ...run, attempt: run.attempt + 1, waiting: undefined, due: false });
        steps.push({ kind: 'start', unit: run.unit, attempt: run.attempt + 1, inputs: run.inputs, upstreamFrom: run.upstreamFrom });
      }
    }
    while (this.queue.length > 0 && this.running.size < this.input.concurrency) {
      const unit = this.queue.shift()!;
      const refusal = this.refusal();
      if (refusal) {
        steps.push(...this.settle(unit, { status: 'cancelled', attempt: 0, error: refusal }));
        continue;
      }
      const resolved = this.inputsOf(unit);
      if ('status' in resolved) steps.push(...this.settle(unit, resolved));
      else {
        this.running.set(unit.name, { unit, attempt: 1, ...resolved });
        steps.push({ kind: 'start', unit, attempt: 1, ...resolved });
      }
    }
    if (steps.length === 0 && this.running.size === 0 && !this.done) {
      throw new Error(`Internal error: no block can start (waiting: ${this.pending.join(', ')}); the plan is inconsistent`);
    }
    return steps;
  }

  /** An attempt ended: the unit settles, or waits for a retry (`retry` step, then `retryDue`). */
  ended(name: string, outcome: Outcome): Step[] {
    const run = this.running.get(name);
    if (!run || run.waiting) throw new Error(`Internal error: ${name} ended but is not running`);
    if (outcome.status === 'failed' && this.cancelled) return this.settle(run.unit, { ...outcome, status: 'cancelled' });
    const retry = this.input.retry(run.unit.block);
    const error = outcome.error;
    if (outcome.status === 'failed' && !outcome.final && error && error.code !== 'syntax' && error.code !== 'unsupported' && outcome.attempt <= retry.retries) {
      run.waiting = outcome;
      return [{ kind: 'retry', name, attempt: outcome.attempt, delaySeconds: retryDelay(retry, outcome.attempt), error }];
    }
    return this.settle(run.unit, outcome);
  }

  /** A unit's wait for its retry is over: the next `next()` starts it again (or cancels it). */
  retryDue(name: string): void {
    const run = this.running.get(name);
    if (!run?.waiting) throw new Error(`Internal error: ${name} is not waiting for a retry`);
    run.due = true;
  }

  /** The run's status once done: a timeout's status, cancelled, failed if a block failed, else completed. */
  status(end: { timedOut?: boolean; timeoutStatus?: 'failed' | 'cancelled' } = {}): Exclude<RunStatus, 'running' | 'interrupted'> {
    if (end.timedOut) return end.timeoutStatus ?? 'failed';
    if (this.cancelled) return 'cancelled';
    const statuses = [...this.results.values()].map((r) => r.status);
    if (statuses.every((s) => s === 'completed' || s === 'skipped' || s === 'condition_failed')) return 'completed';
    return statuses.some((s) => s === 'failed' || s === 'upstream_failed') ? 'failed' : 'cancelled';
  }

  private upstreamSettled(uuid: string): boolean {
    return this.input.upstream.get(uuid)!.every((u) => !this.inRun.has(u) || this.results.has(u));
  }

  /** Why nothing may start now: the run was cancelled, or a block failed and failures stop the run. */
  private refusal(): BlockError | undefined {
    if (this.cancelled) return { code: 'cancelled', message: 'Cancelled before it started' };
    if (!this.input.stopOnBlockFailure) return undefined;
    const failed = [...this.results].find(([, r]) => r.status === 'failed')?.[0];
    return failed === undefined
      ? undefined
      : { code: 'cancelled', message: `Not run: block ${failed} failed, and the trigger does not let blocks fail (settings.allow_blocks_to_fail)` };
  }

  /** Two blocks run per item of the same dynamic block: each child reads its own sibling's output. */
  private paired(up: string, uuid: string): boolean {
    const { fannedBy } = this.input;
    return fannedBy.has(uuid) && fannedBy.get(up) === fannedBy.get(uuid) && !this.input.reduces.has(up);
  }

  /** A block whose upstream blocks have settled: settled as skipped, or queued as one unit or one per item. */
  private expand(uuid: string): Step[] {
    const unit = { name: uuid, block: uuid };
    const refusal = this.refusal();
    if (refusal) return this.settle(unit, { status: 'cancelled', attempt: 0, error: refusal });
    // Runs per item are checked one by one against their own upstream run (inputsOf).
    const before = this.input.upstream.get(uuid)!.filter((u) => this.inRun.has(u) && !this.paired(u, uuid));
    const failedUp = before.filter((u) => !OK_UPSTREAM.has(this.results.get(u)!.status));
    if (failedUp.length > 0)
      return this.settle(unit, {
        status: 'upstream_failed',
        attempt: 0,
        error: { code: 'upstream', message: `Upstream block${failedUp.length > 1 ? 's' : ''} ${failedUp.join(', ')} did not complete` },
      });
    const skippedUp = before.filter((u) => this.results.get(u)!.status === 'condition_failed');
    if (skippedUp.length > 0)
      return this.settle(unit, {
        status: 'condition_failed',
        attempt: 0,
        error: { code: 'upstream', message: `Skipped: upstream block ${skippedUp.join(', ')} was skipped by a condition` },
      });
    const source = this.input.fannedBy.get(uuid);
    if (source === undefined) {
      this.queue.push(unit);
      return [];
    }
    const sourceResult = this.inRun.has(source) ? this.results.get(source) : undefined;
    if (sourceResult && sourceResult.status !== 'completed') {
      return this.settle(unit, {
        status: sourceResult.status === 'condition_failed' ? 'condition_failed' : 'upstream_failed',
        attempt: 0,
        error: { code: 'upstream', message: `Dynamic block ${source} did not complete` },
      });
    }
    const items = (sourceResult ? sourceResult.output : this.input.earlier.get(source)?.output)?.items;
    if (!items)
      return this.settle(unit, {
        status: 'failed',
        attempt: 0,
        error: { code: 'upstream', message: `No items of dynamic block "${source}" from an earlier run: run it first, or add --with-upstream` },
      });
    const units = items.keys.map((key, index) => ({ name: `${uuid}:${key}`, block: uuid, item: { index, key } }));
    this.children.set(uuid, { names: units.map((u) => u.name), left: units.length });
    const steps: Step[] = [{ kind: 'fanned-out', block: uuid, children: units.map((u) => u.name) }];
    if (units.length === 0) steps.push(this.settleChildren(uuid));
    this.queue.push(...units);
    return steps;
  }

  /** The outputs a unit reads, or why it cannot start. */
  private inputsOf(unit: Unit): { inputs: UnitInput[]; upstreamFrom: Record<string, string> } | Outcome {
    const inputs: UnitInput[] = [];
    const upstreamFrom: Record<string, string> = {};
    for (const up of this.input.upstream.get(unit.block)!) {
      if (unit.item && this.paired(up, unit.block)) {
        // This child's own run of a block that also runs per item: only that run's output.
        const name = `${up}:${unit.item.key}`;
        const earlier = this.input.earlier.get(name);
        const here = this.inRun.has(up) ? this.results.get(name) : earlier ? { status: 'completed' as const, output: earlier.output } : undefined;
        if (here?.status === 'condition_failed')
          return { status: 'condition_failed', attempt: 0, error: { code: 'upstream', message: `Skipped: ${name} was skipped by its condition` } };
        if (here?.status !== 'completed' || !here.output) {
          return {
            status: 'upstream_failed',
            attempt: 0,
            error: { code: 'upstream', message: here ? `Upstream run ${name} did not complete` : `No output of ${name} from an earlier run: run it first, or add --with-upstream` },
          };
        }
        inputs.push({ uuid: up, output: here.output });
        continue;
      }
      const { output, runId } = this.inRun.has(up) ? { output: this.results.get(up)?.output, runId: undefined } : { ...this.input.earlier.get(up) };
      if (!output)
        return {
          status: 'failed',
          attempt: 0,
          error: { code: 'upstream', message: `No output of upstream block "${up}" from an earlier run: run it first, or add --with-upstream` },
        };
      if (runId) upstreamFrom[up] = runId;
      // The dynamic block itself gives each child its one item.
      const item = unit.item && this.input.fannedBy.get(unit.block) === up ? unit.item.index : undefined;
      inputs.push({ uuid: up, output, ...(item === undefined ? {} : { item }) });
    }
    return { inputs, upstreamFrom };
  }

  /** A unit's final status; the last child of a block run per item settles that block too. */
  private settle(unit: Unit, outcome: Outcome): Settled[] {
    this.running.delete(unit.name);
    this.results.set(unit.name, { status: outcome.status, error: outcome.error, output: outcome.output });
    const settled: Settled = {
      kind: 'settled',
      name: unit.name,
      status: outcome.status,
      attempt: outcome.attempt,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.output ? { output: outcome.output } : {}),
      ...(unit.item ? { parent: unit.block } : {}),
      ...(outcome.details ? { details: outcome.details } : {}),
    };
    const family = unit.item ? this.children.get(unit.block)! : undefined;
    if (family && --family.left === 0) return [settled, this.settleChildren(unit.block)];
    return [settled];
  }

  /** A block run per item is done when all its children are: failed if one failed, its output theirs. */
  private settleChildren(uuid: string): Settled {
    const { names } = this.children.get(uuid)!;
    const done = names.map((n) => this.results.get(n)!);
    const failedChildren = names.filter((_, i) => done[i].status === 'failed' || done[i].status === 'upstream_failed');
    const status: BlockStatus = failedChildren.length > 0 ? 'failed' : done.some((r) => r.status === 'cancelled') ? 'cancelled' : 'completed';
    const output = gather(done.filter((r) => r.status === 'completed' && r.output).map((r) => r.output!));
    const error: BlockError | undefined =
      failedChildren.length > 0
        ? { code: 'runtime', message: `${failedChildren.length} of ${names.length} runs failed: ${failedChildren.slice(0, 5).join(', ')}${failedChildren.length > 5 ? ', …' : ''}` }
        : undefined;
    this.results.set(uuid, { status, error, output });
    return { kind: 'settled', name: uuid, status, attempt: 0, output, children: names, ...(error ? { error } : {}) };
  }
}
