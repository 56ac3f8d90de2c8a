import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlockError, StoredOutput } from '../../../runtime/protocol.ts';
import { mergeRetryConfig } from '../../../runtime/executor/retry.ts';
import { RunState, type Outcome, type RunStateInput, type Step } from '../../../runtime/executor/run-state.ts';

// The run's state machine on its own: a small driver plays the executor (units end in the order they
// started, a retry's wait is over at once) and writes down every step as a line; each case compares them.

const table = (rows: number, name = 't'): StoredOutput => ({ kind: 'table', files: [`${name}.parquet`], rows, columns: [{ name: 'n', type: 'BIGINT' }], bytes: rows * 8 });
const items = (...keys: string[]): StoredOutput => ({
  kind: 'json',
  files: ['items.json'],
  rows: keys.length,
  columns: [],
  bytes: 10,
  items: { keys, files: keys.map((k) => `${k}.json`) },
});

interface Case {
  name: string;
  /** Block → its upstream blocks; the plan is every block, in this order, unless `plan` says. */
  blocks: Record<string, string[]>;
  plan?: string[];
  fannedBy?: Record<string, string>;
  reduces?: string[];
  earlier?: Record<string, StoredOutput>;
  concurrency?: number;
  retries?: Record<string, number>;
  stopOnBlockFailure?: boolean;
  /** How each attempt ends (default: completed with a 3-row table). */
  outcome?: (name: string, attempt: number) => Partial<Outcome>;
  /** Cancel the run right after the step written as this line. */
  cancelAt?: string;
  steps: string[];
  status: string;
}

function line(step: Step): string {
  if (step.kind === 'start') {
    const inputs = step.inputs.map((i) => `${i.uuid}${i.item === undefined ? '' : `[${i.item}]`}=${i.output.rows}`).join(',');
    const from = Object.entries(step.upstreamFrom)
      .map(([b, r]) => ` ${b}@${r}`)
      .join('');
    return `start ${step.unit.name}#${step.attempt}${inputs ? ` (${inputs})` : ''}${from}`;
  }
  if (step.kind === 'fanned-out') return `fan ${step.block} → ${step.children.join(',') || '(none)'}`;
  if (step.kind === 'retry') return `retry ${step.name}#${step.attempt} in ${step.delaySeconds}s`;
  return `${step.name} ${step.status}${step.output ? ` rows=${step.output.rows}` : ''}${step.error ? `: ${step.error.message}` : ''}`;
}

function play(c: Case): { steps: string[]; status: string } {
  const input: RunStateInput = {
    plan: c.plan ?? Object.keys(c.blocks),
    upstream: new Map(Object.entries(c.blocks)),
    fannedBy: new Map(Object.entries(c.fannedBy ?? {})),
    reduces: new Set(c.reduces ?? []),
    earlier: new Map(Object.entries(c.earlier ?? {}).map(([name, output]) => [name, { runId: 'r0', output }])),
    concurrency: c.concurrency ?? 4,
    retry: (block) => mergeRetryConfig({ retries: c.retries?.[block] ?? 0, delay: 5, exponential_backoff: true }),
    stopOnBlockFailure: c.stopOnBlockFailure,
  };
  const state = new RunState(input);
  const steps: string[] = [];
  const running: Extract<Step, { kind: 'start' }>[] = [];
  const waiting: string[] = [];
  for (let round = 0; round < 100 && !state.done; round++) {
    for (const step of state.next()) {
      steps.push(line(step));
      if (step.kind === 'start') running.push(step);
      if (steps.at(-1) === c.cancelAt) state.cancel();
    }
    for (const name of waiting.splice(0)) state.retryDue(name);
    const start = running.shift();
    if (!start) continue;
    const outcome = { status: 'completed' as const, attempt: start.attempt, output: table(3), ...c.outcome?.(start.unit.name, start.attempt) };
    for (const step of state.ended(start.unit.name, outcome)) {
      steps.push(line(step));
      if (step.kind === 'retry') waiting.push(step.name);
      if (steps.at(-1) === c.cancelAt) state.cancel();
    }
  }
  assert.ok(state.done, `the run ends (${c.name})`);
  return { steps, status: state.status() };
}

const fail = (message = 'boom', code: BlockError['code'] = 'runtime'): Partial<Outcome> => ({ status: 'failed', output: undefined, error: { code, message } });

const cases: Case[] = [
  {
    name: 'a chain runs in order',
    blocks: { load: [], clean: ['load'], save: ['clean'] },
    steps: ['start load#1', 'load completed rows=3', 'start clean#1 (load=3)', 'clean completed rows=3', 'start save#1 (clean=3)', 'save completed rows=3'],
    status: 'completed',
  },
  {
    name: 'independent blocks start at once, up to the concurrency',
    blocks: { a: [], b: [], c: [] },
    concurrency: 2,
    steps: ['start a#1', 'start b#1', 'a completed rows=3', 'start c#1', 'b completed rows=3', 'c completed rows=3'],
    status: 'completed',
  },
  {
    name: 'a failure fails what is downstream; independent blocks still run',
    blocks: { a: [], b: ['a'], c: [] },
    outcome: (name) => (name === 'a' ? fail() : {}),
    steps: ['start a#1', 'start c#1', 'a failed: boom', 'b upstream_failed: Upstream block a did not complete', 'c completed rows=3'],
    status: 'failed',
  },
  {
    name: 'with stop-on-failure, nothing starts after a failure',
    blocks: { a: [], b: [], c: [] },
    concurrency: 1,
    stopOnBlockFailure: true,
    outcome: (name) => (name === 'a' ? fail() : {}),
    steps: [
      'start a#1',
      'a failed: boom',
      'b cancelled: Not run: block a failed, and the trigger does not let blocks fail (settings.allow_blocks_to_fail)',
      'c cancelled: Not run: block a failed, and the trigger does not let blocks fail (settings.allow_blocks_to_fail)',
    ],
    status: 'failed',
  },
  {
    name: 'a block skipped by its condition skips what is downstream, and the run completes',
    blocks: { a: [], b: ['a'], c: ['b'] },
    outcome: (name) =>
      name === 'a' ? { status: 'condition_failed', output: undefined, final: true, error: { code: 'upstream', message: 'Skipped: condition "g" is false' } } : {},
    steps: [
      'start a#1',
      'a condition_failed: Skipped: condition "g" is false',
      'b condition_failed: Skipped: upstream block a was skipped by a condition',
      'c condition_failed: Skipped: upstream block b was skipped by a condition',
    ],
    status: 'completed',
  },
  {
    name: 'a failed attempt is retried with backoff, up to its retries',
    blocks: { a: [] },
    retries: { a: 2 },
    outcome: (_, attempt) => fail(`attempt ${attempt}`),
    steps: ['start a#1', 'retry a#1 in 5s', 'start a#2', 'retry a#2 in 10s', 'start a#3', 'a failed: attempt 3'],
    status: 'failed',
  },
  {
    name: 'a retry that succeeds completes the block',
    blocks: { a: [], b: ['a'] },
    retries: { a: 3 },
    outcome: (name, attempt) => (name === 'a' && attempt === 1 ? fail() : {}),
    steps: ['start a#1', 'retry a#1 in 5s', 'start a#2', 'a completed rows=3', 'start b#1 (a=3)', 'b completed rows=3'],
    status: 'completed',
  },
  {
    name: 'syntax errors and outcomes that say final are never retried',
    blocks: { a: [], b: [] },
    retries: { a: 3, b: 3 },
    outcome: (name) => (name === 'a' ? fail('bad syntax', 'syntax') : { ...fail('no file'), final: true }),
    steps: ['start a#1', 'start b#1', 'a failed: bad syntax', 'b failed: no file'],
    status: 'failed',
  },
  {
    name: 'cancelling stops what waits; a failure after the cancel counts as cancelled',
    blocks: { a: [], b: ['a'], c: [] },
    concurrency: 1,
    cancelAt: 'start a#1',
    outcome: () => fail('stopped'),
    steps: ['start a#1', 'a cancelled: stopped', 'b cancelled: Cancelled before it started', 'c cancelled: Cancelled before it started'],
    status: 'cancelled',
  },
  {
    name: 'a cancel during a retry wait cancels the block',
    blocks: { a: [] },
    retries: { a: 2 },
    cancelAt: 'retry a#1 in 5s',
    outcome: () => fail(),
    steps: ['start a#1', 'retry a#1 in 5s', 'a cancelled: Cancelled'],
    status: 'cancelled',
  },
  {
    name: 'a dynamic block fans its downstream block out per item; the parent gathers the children',
    blocks: { d: [], each: ['d'] },
    fannedBy: { each: 'd' },
    outcome: (name) => (name === 'd' ? { output: items('x', 'y') } : {}),
    steps: [
      'start d#1',
      'd completed rows=2',
      'fan each → each:x,each:y',
      'start each:x#1 (d[0]=2)',
      'start each:y#1 (d[1]=2)',
      'each:x completed rows=3',
      'each:y completed rows=3',
      'each completed rows=6',
    ],
    status: 'completed',
  },
  {
    name: "children pair with their sibling's run of the same item (once that block has settled); a failed child fails its parent and its pair",
    blocks: { d: [], first: ['d'], second: ['first'] },
    fannedBy: { first: 'd', second: 'd' },
    outcome: (name) => (name === 'd' ? { output: items('x', 'y') } : name === 'first:y' ? fail() : {}),
    steps: [
      'start d#1',
      'd completed rows=2',
      'fan first → first:x,first:y',
      'start first:x#1 (d[0]=2)',
      'start first:y#1 (d[1]=2)',
      'first:x completed rows=3',
      'first:y failed: boom',
      'first failed rows=3: 1 of 2 runs failed: first:y',
      'fan second → second:x,second:y',
      'start second:x#1 (first=3)',
      'second:y upstream_failed: Upstream run first:y did not complete',
      'second:x completed rows=3',
      'second failed rows=3: 1 of 2 runs failed: second:y',
    ],
    status: 'failed',
  },
  {
    name: 'a reducing block reaches its downstream block as one output; no items settle a fanned block at once',
    blocks: { d: [], each: ['d'], total: ['each'], empty: [], none: ['empty'] },
    fannedBy: { each: 'd', total: 'd', none: 'empty' },
    reduces: ['each'],
    outcome: (name) => (name === 'd' ? { output: items('x') } : name === 'empty' ? { output: items() } : {}),
    steps: [
      'start d#1',
      'start empty#1',
      'd completed rows=1',
      'fan each → each:x',
      'start each:x#1 (d[0]=1)',
      'empty completed rows=0',
      'fan none → (none)',
      'none completed rows=0',
      'each:x completed rows=3',
      'each completed rows=3',
      'fan total → total:x',
      'start total:x#1 (each=3)',
      'total:x completed rows=3',
      'total completed rows=3',
    ],
    status: 'completed',
  },
  {
    name: 'a block run alone reads the latest earlier output of its upstream block, and says which run it came from',
    blocks: { load: [], clean: ['load'], save: ['clean'] },
    plan: ['clean', 'save'],
    earlier: { load: table(7) },
    steps: ['start clean#1 (load=7) load@r0', 'clean completed rows=3', 'start save#1 (clean=3)', 'save completed rows=3'],
    status: 'completed',
  },
  {
    name: 'without an earlier output the block fails and says what to do',
    blocks: { load: [], clean: ['load'] },
    plan: ['clean'],
    steps: ['clean failed: No output of upstream block "load" from an earlier run: run it first, or add --with-upstream'],
    status: 'failed',
  },
  {
    name: 'a block fanned out by a dynamic block outside the run reads its earlier items',
    blocks: { d: [], each: ['d'] },
    plan: ['each'],
    fannedBy: { each: 'd' },
    earlier: { d: items('x') },
    steps: ['fan each → each:x', 'start each:x#1 (d[0]=1) d@r0', 'each:x completed rows=3', 'each completed rows=3'],
    status: 'completed',
  },
];

for (const c of cases) {
  test(`run state: ${c.name}`, () => {
    const { steps, status } = play(c);
    assert.deepEqual(steps, c.steps);
    assert.equal(status, c.status);
  });
}

test('run state: a timed-out run has its timeout status; a plan no block can start in is an internal error', () => {
  const state = new RunState({
    plan: ['a'],
    upstream: new Map([['a', []]]),
    fannedBy: new Map(),
    reduces: new Set(),
    earlier: new Map(),
    concurrency: 1,
    retry: () => mergeRetryConfig(),
  });
  assert.equal(state.next()[0].kind, 'start');
  state.cancel();
  assert.deepEqual(state.ended('a', { status: 'failed', attempt: 1, error: { code: 'cancelled', message: 'Cancelled' } }).map(line), ['a cancelled: Cancelled']);
  assert.equal(state.status({ timedOut: true }), 'failed');
  assert.equal(state.status({ timedOut: true, timeoutStatus: 'cancelled' }), 'cancelled');
  assert.equal(state.status(), 'cancelled');
  assert.throws(() => state.ended('a', { status: 'completed', attempt: 1 }), /a ended but is not running/);

  const stuck = new RunState({
    plan: ['a'],
    upstream: new Map([['a', ['a']]]),
    fannedBy: new Map(),
    reduces: new Set(),
    earlier: new Map(),
    concurrency: 1,
    retry: () => mergeRetryConfig(),
  });
  assert.throws(() => stuck.next(), /no block can start \(waiting: a\)/);
});
