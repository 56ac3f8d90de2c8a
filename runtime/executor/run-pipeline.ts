import { appendFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres } from '../connectors/embedded-postgres.js';
import { setLongTimeout, sleep } from '../abortable-sleep.js';
import { buildGraph } from '../graph/graph.js';
import { appendHistory, checkStateDir, latestOutputs, readHistory } from '../history/run-history.js';
import { currentProcess } from '../history/process-identity.js';
import { fanOut, isDynamic, reducesOutput } from '../graph/dynamic.js';
import type { Block, Pipeline, Project, Trigger } from '../project/model.js';
import { projectSecrets, redactor } from '../project/secrets.js';
import type { BlockError, BlockStatus, BlockTask, RunEvent, RunStatus, StoredOutput, WorkerMessage } from '../protocol.js';
import { mergeRetryConfig, retryDelay } from './retry.js';
import { planRun, type RunSelection } from './run-plan.js';
import { compileBlocks } from './compile-block.js';
import { compiledBlocksDir } from '../layout.js';
import { blockRunDir, newRunId, safeName, startHeartbeat } from './run-dirs.js';
import { attachedTo, blockTimeout, gather, itemOutput, missingFileMessage, sensorInterval, type Unit } from './run-units.js';
import { WorkerPool } from './worker-pool.js';
import { runVariables, type RunInterval } from './variables.js';

/** What to run and how. */
export interface RunOptions {
  project: Project;
  pipeline: Pipeline;
  selection?: RunSelection;
  /** `--var` or backfill values. */
  overrides?: Record<string, unknown>;
  executionDate?: Date;
  interval?: RunInterval;
  trigger?: Pick<Trigger, 'name' | 'variables'>;
  backfill?: string;
  profile?: string;
  /** Blocks running at once (default: the pipeline's block_run_limit, else the cores, at most 4). */
  concurrency?: number;
  env?: string;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Stops the run after this many seconds (a trigger's settings.timeout). */
  timeoutSeconds?: number;
  /** The status a run stopped by its timeout gets (Mage's timeout_status; default failed). */
  timeoutStatus?: 'failed' | 'cancelled';
  /**
   * After a block fails, start no other block (Mage's trigger runs unless settings.allow_blocks_to_fail);
   * blocks already running finish. By default independent blocks still run.
   */
  stopOnBlockFailure?: boolean;
  /** Servers shared by several runs of one process (a backfill); by default the run has its own. */
  embeddedPostgres?: EmbeddedPostgres;
}

/** How a run ended. */
export interface RunResult {
  runId: string;
  status: Exclude<RunStatus, 'running' | 'interrupted'>;
  blocks: Map<string, { status: BlockStatus; error?: BlockError; output?: StoredOutput }>;
  /** The run was stopped by its timeout. */
  timedOut?: boolean;
}

/**
 * Runs a pipeline (or part of it): blocks in dependency order, independent ones at once up to the
 * concurrency limit, in worker threads (see WorkerPool), with retries, timeouts, upstream-failure
 * propagation and cancellation. Every state change goes to `onEvent` and to the run history.
 */
export async function runPipeline(options: RunOptions): Promise<RunResult> {
  const { project, pipeline } = options;
  const root = project.root;
  const graph = buildGraph(pipeline);
  if (graph.cycle) throw new Error(`Cannot run ${pipeline.uuid}: its blocks form a cycle (${graph.cycle.join(' → ')}); run "pipewright validate"`);
  const plan = planRun(graph, options.selection ?? {});
  const fan = fanOut(graph);
  const unrunnable = fan.problems.find((p) => p.refusesRun && plan.includes(p.block));
  if (unrunnable) throw new Error(`Cannot run ${pipeline.uuid}: ${unrunnable.message}`);
  checkStateDir(root);
  const started = new Date();
  const runId = newRunId(started);
  // The run's own signal: the caller's, or its timeout, whichever comes first.
  const controller = new AbortController();
  const outer = options.signal;
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', () => controller.abort(), { once: true });
  let timedOut = false;
  const timer = options.timeoutSeconds
    ? setLongTimeout(() => {
        timedOut = true;
        controller.abort();
      }, options.timeoutSeconds * 1000)
    : undefined;
  const signal = controller.signal;
  const executionDate = options.executionDate ?? started;
  const variables = runVariables({
    pipeline,
    trigger: options.trigger,
    overrides: options.overrides ?? {},
    executionDate,
    interval: options.interval,
    env: options.env ?? (options.trigger || options.backfill ? 'prod' : 'dev'),
    runId,
  });
  // Resolved secrets (passwords, keys, tokens) never reach the terminal, logs, events or the history.
  const redact = redactor(projectSecrets(project));
  // Only text is masked: paths and other structured fields stay intact (a secret in a path must not break it).
  const cleanError = (error: BlockError | undefined): BlockError | undefined =>
    error && { ...error, message: redact(error.message), ...(error.stack ? { stack: redact(error.stack) } : {}) };
  const clean = (event: RunEvent): RunEvent => {
    // A secret may even be a column's name (a value read as a header row).
    if (event.kind === 'block-finished') return { ...event, error: cleanError(event.error), ...(event.output ? { output: { ...event.output, columns: event.output.columns.map((c) => ({ ...c, name: redact(c.name) })) } } : {}) };
    if (event.kind === 'block-retry') return { ...event, error: cleanError(event.error)! };
    if (event.kind === 'run-started') {
      return { ...event, variables: Object.fromEntries(Object.entries(event.variables).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v])) };
    }
    return event;
  };
  const emit = (event: RunEvent) => {
    const safe = clean(event);
    appendHistory(root, safe);
    options.onEvent?.(safe);
  };
  const now = () => new Date().toISOString();
  const identity = currentProcess();
  const partial = plan.length < graph.order.length && Boolean(options.selection?.block ?? options.selection?.from);
  emit({
    kind: 'run-started', time: started.toISOString(), runId, pipeline: pipeline.uuid, executionDate: executionDate.toISOString(),
    blocks: plan, variables, pid: identity.pid, host: identity.host, pidStarted: identity.started, partial,
    trigger: options.trigger?.name, backfill: options.backfill,
  });

  const inRun = new Set(plan);
  const cached = inRun.size < graph.blocks.size ? latestOutputs(readHistory(root), pipeline.uuid) : new Map<string, { runId: string; output: StoredOutput }>();
  const results: RunResult['blocks'] = new Map();
  const concurrency = Math.max(1, options.concurrency ?? concurrencyOf(pipeline));
  const projectRetry = (project.metadata?.value as Record<string, unknown> | null)?.retry_config;
  const running = new Set<Promise<void>>();
  const pending = [...plan];
  const queue: Unit[] = [];
  const conditionalsOf = attachedTo(pipeline, 'conditionals');
  const callbacksOf = attachedTo(pipeline, 'callbacks');
  // Started by the first block that asks for it, stopped when the run ends (unless it is shared).
  const embedded = options.embeddedPostgres ?? new EmbeddedPostgres(root);
  const pool = new WorkerPool(async (service) => {
    if (service === 'embedded-postgres') return embedded.ensure();
    throw new Error(`Unknown service ${String(service)}`);
  });
  const attached = plan.flatMap((u) => [...(conditionalsOf.get(u) ?? []), ...(callbacksOf.get(u) ?? [])]);
  const typescriptFiles = [...plan.map((u) => graph.blocks.get(u)!), ...attached].filter((b) => b.language === 'typescript' && b.file && b.fileExists).map((b) => b.file!);
  let compiled: Awaited<ReturnType<typeof compileBlocks>>;
  try {
    compiled = await compileBlocks([...new Set(typescriptFiles)], { cacheDir: compiledBlocksDir(root), cwd: root });
  } catch (error) {
    // Not a syntax error (those fail their block): esbuild itself failed. The run ends here, recorded.
    emit({ kind: 'run-finished', time: now(), runId, status: 'failed', durationMs: Date.now() - started.getTime() });
    throw error;
  }
  // Workers for the blocks that can start at once (an idle worker holds some 15 MB); more start on demand.
  const startable = plan.filter((u) => graph.upstream.get(u)!.every((up) => !inRun.has(up))).length;
  pool.warm(Math.min(concurrency, Math.max(1, startable)));

  type Finished = Partial<Extract<RunEvent, { kind: 'block-finished' }>>;
  const finish = (name: string, status: BlockStatus, extra: Finished = {}) => {
    results.set(name, { status, error: extra.error, output: extra.output });
    emit({ kind: 'block-finished', time: now(), runId, block: name, status, attempt: extra.attempt ?? 0, durationMs: extra.durationMs ?? 0, ...extra });
  };
  // The children of each block that runs once per item, how many have yet to finish, and when they were queued.
  const childrenOf = new Map<string, { names: string[]; left: number; queuedAt: number }>();
  const finishUnit = (unit: Unit, status: BlockStatus, extra: Finished = {}) => {
    finish(unit.name, status, unit.item ? { ...extra, parent: unit.block } : extra);
    if (unit.item && --childrenOf.get(unit.block)!.left === 0) settleChildren(unit.block);
  };
  /** A block run per item is done when all its children are: failed if one failed, its output their outputs. */
  const settleChildren = (uuid: string) => {
    const { names, queuedAt } = childrenOf.get(uuid)!;
    const done = names.map((n) => results.get(n));
    const failedChildren = names.filter((_, i) => done[i]!.status === 'failed' || done[i]!.status === 'upstream_failed');
    const status: BlockStatus = failedChildren.length > 0 ? 'failed' : done.some((r) => r!.status === 'cancelled') ? 'cancelled' : 'completed';
    const parts = done.filter((r) => r!.status === 'completed' && r!.output).map((r) => r!.output!);
    finish(uuid, status, {
      startedAt: new Date(queuedAt).toISOString(),
      durationMs: Date.now() - queuedAt,
      children: names,
      output: gather(parts),
      ...(failedChildren.length > 0 ? { error: { code: 'runtime', message: `${failedChildren.length} of ${names.length} runs failed: ${failedChildren.slice(0, 5).join(', ')}${failedChildren.length > 5 ? ', …' : ''}` } } : {}),
    });
  };
  const outputOf = (uuid: string): { output?: StoredOutput; runId?: string } => {
    if (inRun.has(uuid)) return { output: results.get(uuid)?.output };
    const earlier = cached.get(uuid);
    return { output: earlier?.output, runId: earlier?.runId };
  };
  const paired = (up: string, uuid: string) => fan.fannedBy.has(uuid) && fan.fannedBy.get(up) === fan.fannedBy.get(uuid) && !reducesOutput(graph.blocks.get(up)!);
  const firstFailed = () => [...results].find(([, r]) => r.status === 'failed')?.[0];

  /** Log lines of a worker go to the block's log file and, live, to the terminal. */
  const logTo = (name: string, logFile: string, prefix = '') => (message: WorkerMessage) => {
    if (message.kind === 'log') {
      const text = redact(prefix + message.message);
      appendFileSync(logFile, `${now()} ${message.level.toUpperCase()} ${text}\n`);
      options.onEvent?.({ kind: 'block-log', time: now(), runId, block: name, level: message.level, message: text });
    } else if (message.kind === 'progress') {
      options.onEvent?.({ kind: 'block-progress', time: now(), runId, block: name, rows: message.rows, bytes: message.bytes });
    }
  };
  const note = (name: string, logFile: string, level: 'info' | 'warn', text: string) => logTo(name, logFile)({ kind: 'log', level, message: text });
  const taskOf = (block: Block, dir: string, upstream: BlockTask['upstream']): BlockTask => ({
    runId, projectRoot: root, pipeline: pipeline.uuid,
    block: { uuid: block.uuid, type: block.type, language: block.language, file: block.file!, configuration: block.configuration },
    upstream, variables, outputDir: join(dir, 'output'), workDir: join(dir, 'work'),
    cacheDir: compiledBlocksDir(root), profile: options.profile ?? 'default',
    sensorIntervalSeconds: sensorInterval(block), compiled: block.file ? compiledCode(compiled, block.file) : undefined,
  });
  /** Why an attached conditional or callback cannot run, or undefined when it can. */
  const cannotRun = (block: Block): BlockError | undefined => {
    if (!block.file || !block.fileExists) return { code: 'runtime', message: missingFileMessage(block) };
    if (block.language !== 'typescript') return { code: 'unsupported', message: `${block.type === 'callback' ? 'Callback' : 'Condition'} "${block.uuid}" is ${block.language} (${block.file}); Pipewright runs TypeScript ones: rewrite it as a .ts file` };
    const build = compiled.get(block.file);
    return build && 'error' in build ? build.error : undefined;
  };

  /** Runs a block's conditionals on its inputs: true when all hold, else which one said no, or why one failed. */
  const checkConditions = async (unit: Unit, dir: string, upstream: BlockTask['upstream'], logFile: string): Promise<true | { skippedBy: string } | { error: BlockError }> => {
    for (const conditional of conditionalsOf.get(unit.block) ?? []) {
      const problem = cannotRun(conditional);
      if (problem) return { error: { ...problem, message: `Cannot check condition "${conditional.uuid}": ${problem.message}` } };
      const result = await pool.run(
        { ...taskOf(conditional, join(dir, 'conditions', safeName(conditional.uuid)), upstream), guards: unit.name },
        { timeoutSeconds: blockTimeout(conditional.raw.timeout), signal, onMessage: logTo(unit.name, logFile, `[condition ${conditional.uuid}] `) },
      );
      if (result.status !== 'completed') return { error: { ...result.error, message: `Condition "${conditional.uuid}" failed: ${result.error.message}` } };
      if (result.condition === false) return { skippedBy: conditional.uuid };
    }
    return true;
  };

  /** Runs the callbacks attached to a block, after it; their failures are logged and recorded, never the block's. */
  const runCallbacks = async (unit: Unit, dir: string, logFile: string, outcome: { output: StoredOutput } | { error: BlockError }) => {
    const on = 'output' in outcome ? 'success' : 'failure';
    for (const callback of callbacksOf.get(unit.block) ?? []) {
      const problem = cannotRun(callback);
      let error = problem;
      if (!problem) {
        const upstream = 'output' in outcome ? [{ uuid: unit.block, output: outcome.output }] : [];
        const result = await pool.run(
          { ...taskOf(callback, join(dir, 'callbacks', safeName(callback.uuid)), upstream), callback: { on, parent: unit.name, ...('error' in outcome ? { error: outcome.error } : {}) } },
          { timeoutSeconds: blockTimeout(callback.raw.timeout), signal, onMessage: logTo(unit.name, logFile, `[callback ${callback.uuid}] `) },
        );
        if (result.status !== 'completed') error = result.error;
      }
      if (error) note(unit.name, logFile, 'warn', `Callback "${callback.uuid}" (${on}) failed: ${error.message}`);
      emit({ kind: 'callback-finished', time: now(), runId, block: unit.name, callback: callback.uuid, on, status: error ? 'failed' : 'completed', ...(error ? { error: cleanError(error) } : {}) });
    }
  };

  const runUnit = async (unit: Unit): Promise<void> => {
    const block = graph.blocks.get(unit.block)!;
    const upstream: BlockTask['upstream'] = [];
    const upstreamFrom: Record<string, string> = {};
    for (const up of graph.upstream.get(unit.block)!) {
      if (unit.item && paired(up, unit.block)) {
        // This child's own run of a block that also runs per item: only that run's output.
        const name = `${up}:${unit.item.key}`;
        const here = inRun.has(up) ? results.get(name) : cached.has(name) ? { status: 'completed' as const, output: cached.get(name)!.output } : undefined;
        if (here?.status === 'condition_failed') return finishUnit(unit, 'condition_failed', { error: { code: 'upstream', message: `Skipped: ${name} was skipped by its condition` } });
        if (here?.status !== 'completed' || !here.output) {
          return finishUnit(unit, 'upstream_failed', { error: { code: 'upstream', message: here ? `Upstream run ${name} did not complete` : `No output of ${name} from an earlier run: run it first, or add --with-upstream` } });
        }
        upstream.push({ uuid: up, output: here.output });
        continue;
      }
      const { output, runId: from } = outputOf(up);
      if (!output) return finishUnit(unit, 'failed', { error: { code: 'upstream', message: `No output of upstream block "${up}" from an earlier run: run it first, or add --with-upstream` } });
      if (from) upstreamFrom[up] = from;
      // The dynamic block itself gives each child its one item.
      const item = unit.item && fan.fannedBy.get(unit.block) === up ? itemOutput(output, unit.item.index) : undefined;
      upstream.push({ uuid: up, output: item ?? output });
    }
    if (!block.file || !block.fileExists) return finishUnit(unit, 'failed', { error: { code: 'runtime', message: missingFileMessage(block) } });
    const build = block.language === 'typescript' ? compiled.get(block.file) : undefined;
    if (build && 'error' in build) return finishUnit(unit, 'failed', { attempt: 1, error: build.error });
    const dir = blockRunDir(root, runId, unit.name);
    const logFile = join(dir, 'log.txt');
    mkdirSync(dir, { recursive: true });
    const startedAt = Date.now();
    const verdict = await checkConditions(unit, dir, upstream, logFile);
    if (verdict !== true) {
      const durationMs = Date.now() - startedAt;
      if ('error' in verdict) return finishUnit(unit, signal.aborted ? 'cancelled' : 'failed', { durationMs, error: verdict.error });
      note(unit.name, logFile, 'info', `Condition "${verdict.skippedBy}" is false: ${unit.name} and the blocks downstream of it are skipped`);
      return finishUnit(unit, 'condition_failed', { durationMs, error: { code: 'upstream', message: `Skipped: condition "${verdict.skippedBy}" is false` } });
    }
    const retry = mergeRetryConfig(projectRetry, pipeline.raw.retry_config, block.raw.retry_config);
    const dynamic = isDynamic(block) && !unit.item;
    const timeoutSeconds = blockTimeout(block.raw.timeout);
    for (let attempt = 1; ; attempt++) {
      emit({ kind: 'block-started', time: now(), runId, block: unit.name, attempt });
      const result = await pool.run(
        { ...taskOf(block, dir, upstream), ...(dynamic ? { dynamic } : {}), ...(unit.item ? { item: { index: unit.item.index, name: unit.name } } : {}) },
        {
          timeoutSeconds,
          ...(block.type === 'sensor' && timeoutSeconds ? { timeoutMessage: `Sensor "${unit.name}" was not ready within its timeout (${timeoutSeconds} s, checking every ${sensorInterval(block)} s): it was stopped` } : {}),
          signal,
          onMessage: logTo(unit.name, logFile),
        },
      );
      const common = { attempt, startedAt: new Date(startedAt).toISOString(), durationMs: Date.now() - startedAt, peakMemoryBytes: result.peakMemoryBytes };
      if (result.status === 'completed') {
        finishUnit(unit, 'completed', { ...common, output: result.output, tests: result.tests, ...(Object.keys(upstreamFrom).length ? { upstreamFrom } : {}) });
        spawn(runCallbacks(unit, dir, logFile, { output: result.output }));
        return;
      }
      if (result.status === 'cancelled' || signal.aborted) return finishUnit(unit, 'cancelled', { ...common, error: result.error });
      appendFileSync(logFile, redact(`${now()} ERROR ${result.error.message}\n${result.error.stack ?? ''}\n`));
      const retryable = result.error.code !== 'syntax' && result.error.code !== 'unsupported' && attempt <= retry.retries;
      if (!retryable) {
        finishUnit(unit, 'failed', { ...common, error: result.error });
        spawn(runCallbacks(unit, dir, logFile, { error: cleanError(result.error)! }));
        return;
      }
      const delay = retryDelay(retry, attempt);
      emit({ kind: 'block-retry', time: now(), runId, block: unit.name, attempt, delaySeconds: delay, error: result.error });
      await sleep(delay, signal);
      if (signal.aborted) return finishUnit(unit, 'cancelled', { ...common, error: { code: 'cancelled', message: 'Cancelled' } });
    }
  };
  const spawn = (work: Promise<void>) => {
    const task = work.finally(() => running.delete(task));
    running.add(task);
  };

  /** A block whose upstream blocks have settled: skipped, or queued as one unit or one per item of its dynamic block. */
  const expand = (uuid: string) => {
    if (signal.aborted) return finish(uuid, 'cancelled', { error: { code: 'cancelled', message: 'Cancelled before it started' } });
    const failed = options.stopOnBlockFailure ? firstFailed() : undefined;
    if (failed) return finish(uuid, 'cancelled', { error: { code: 'cancelled', message: `Not run: block ${failed} failed, and the trigger does not let blocks fail (settings.allow_blocks_to_fail)` } });
    // Runs per item are checked one by one against their own upstream run (in runUnit).
    const before = graph.upstream.get(uuid)!.filter((u) => inRun.has(u) && !paired(u, uuid));
    const failedUp = before.filter((u) => results.get(u)!.status !== 'completed' && results.get(u)!.status !== 'condition_failed');
    if (failedUp.length > 0) return finish(uuid, 'upstream_failed', { error: { code: 'upstream', message: `Upstream block${failedUp.length > 1 ? 's' : ''} ${failedUp.join(', ')} did not complete` } });
    const skippedUp = before.filter((u) => results.get(u)!.status === 'condition_failed');
    if (skippedUp.length > 0) return finish(uuid, 'condition_failed', { error: { code: 'upstream', message: `Skipped: upstream block ${skippedUp.join(', ')} was skipped by a condition` } });
    const source = fan.fannedBy.get(uuid);
    if (source === undefined) return void queue.push({ name: uuid, block: uuid });
    const sourceResult = inRun.has(source) ? results.get(source) : undefined;
    if (sourceResult && sourceResult.status !== 'completed') return finish(uuid, sourceResult.status === 'condition_failed' ? 'condition_failed' : 'upstream_failed', { error: { code: 'upstream', message: `Dynamic block ${source} did not complete` } });
    const items = outputOf(source).output?.items;
    if (!items) return finish(uuid, 'failed', { error: { code: 'upstream', message: `No items of dynamic block "${source}" from an earlier run: run it first, or add --with-upstream` } });
    const units = items.keys.map((key, index) => ({ name: `${uuid}:${key}`, block: uuid, item: { index, key } }));
    childrenOf.set(uuid, { names: units.map((u) => u.name), left: units.length, queuedAt: Date.now() });
    if (units.length === 0) settleChildren(uuid);
    queue.push(...units);
  };

  // Blocks become units as their upstream blocks settle; units start as slots free up.
  const stopHeartbeat = startHeartbeat(root, runId);
  try {
    const settledUpstream = (uuid: string) => graph.upstream.get(uuid)!.every((u) => !inRun.has(u) || results.has(u));
    while (pending.length > 0 || queue.length > 0 || running.size > 0) {
      for (let i = 0; i < pending.length; ) {
        if (!signal.aborted && !settledUpstream(pending[i])) {
          i++;
          continue;
        }
        expand(pending.splice(i, 1)[0]);
      }
      while (queue.length > 0 && running.size < concurrency) {
        const unit = queue.shift()!;
        const failed = options.stopOnBlockFailure ? firstFailed() : undefined;
        if (signal.aborted) finishUnit(unit, 'cancelled', { error: { code: 'cancelled', message: 'Cancelled before it started' } });
        else if (failed) finishUnit(unit, 'cancelled', { error: { code: 'cancelled', message: `Not run: block ${failed} failed, and the trigger does not let blocks fail (settings.allow_blocks_to_fail)` } });
        else spawn(runUnit(unit));
      }
      if (running.size > 0) await Promise.race(running);
      else if (pending.length > 0 && queue.length === 0 && !signal.aborted) throw new Error('Internal error: no block can start; the plan is inconsistent');
    }
  } finally {
    timer?.clear();
    stopHeartbeat();
    await pool.close();
    if (!options.embeddedPostgres) await embedded.stop();
  }
  const statuses = [...results.values()].map((r) => r.status);
  let status: RunResult['status'];
  if (timedOut) status = options.timeoutStatus ?? 'failed';
  else if (signal.aborted) status = 'cancelled';
  else if (statuses.every((s) => s === 'completed' || s === 'skipped' || s === 'condition_failed')) status = 'completed';
  else status = statuses.some((s) => s === 'failed' || s === 'upstream_failed') ? 'failed' : 'cancelled';
  emit({ kind: 'run-finished', time: now(), runId, status, durationMs: Date.now() - started.getTime() });
  return { runId, status, blocks: results, ...(timedOut ? { timedOut } : {}) };
}

function compiledCode(compiled: Awaited<ReturnType<typeof compileBlocks>>, file: string): string | undefined {
  const build = compiled.get(file);
  return build && 'compiled' in build ? build.compiled : undefined;
}

function concurrencyOf(pipeline: Pipeline): number {
  const limit = (pipeline.raw.concurrency_config as Record<string, unknown> | null | undefined)?.block_run_limit;
  if (typeof limit === 'number' && limit > 0) return limit;
  return Math.min(4, availableParallelism());
}
