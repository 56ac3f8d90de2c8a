import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres } from '../connectors/embedded-postgres.js';
import { sleep } from '../abortable-sleep.js';
import { buildGraph } from '../graph/graph.js';
import { appendHistory, latestOutputs, readHistory, stateDir } from '../history/run-history.js';
import { currentProcess } from '../history/process-identity.js';
import type { Pipeline, Project, Trigger } from '../project/model.js';
import { projectSecrets, redactor } from '../project/secrets.js';
import type { BlockError, BlockStatus, RunEvent, RunStatus, StoredOutput } from '../protocol.js';
import { mergeRetryConfig, retryDelay } from './retry.js';
import { planRun, type RunSelection } from './run-plan.js';
import { compileBlocks, compiledBlocksDir } from './compile-block.js';
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

/** A sortable, readable run id: start time, then a random suffix. */
function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function safeName(uuid: string): string {
  return uuid.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The folder of one block's run: output/, work/ and log.txt. */
export function blockRunDir(root: string, runId: string, block: string): string {
  return join(stateDir(root), 'runs', runId, safeName(block));
}

function blockTimeout(value: unknown): number | undefined {
  const seconds = typeof value === 'string' ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
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
  const started = new Date();
  const runId = newRunId(started);
  // The run's own signal: the caller's, or its timeout, whichever comes first.
  const controller = new AbortController();
  const outer = options.signal;
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', () => controller.abort(), { once: true });
  let timedOut = false;
  const timer = options.timeoutSeconds
    ? setTimeout(() => {
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
  // Only text is masked: file paths and other structured fields stay intact (a secret that happens to
  // appear in a path must not break the path).
  const cleanError = (error: BlockError | undefined): BlockError | undefined =>
    error && { ...error, message: redact(error.message), ...(error.stack ? { stack: redact(error.stack) } : {}) };
  const clean = (event: RunEvent): RunEvent => {
    if (event.kind === 'block-finished' || event.kind === 'block-retry') return { ...event, error: cleanError(event.error) } as RunEvent;
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
  const cached = inRun.size < graph.blocks.size ? latestOutputs(readHistory(root), pipeline.uuid) : new Map();
  const results: RunResult['blocks'] = new Map();
  const concurrency = Math.max(1, options.concurrency ?? concurrencyOf(pipeline));
  const projectRetry = (project.metadata?.value as Record<string, unknown> | null)?.retry_config;
  const running = new Set<Promise<void>>();
  const pending = [...plan];
  // Started by the first block that asks for it, stopped when the run ends (unless it is shared).
  const embedded = options.embeddedPostgres ?? new EmbeddedPostgres(root);
  const pool = new WorkerPool(async (service) => {
    if (service === 'embedded-postgres') return embedded.ensure();
    throw new Error(`Unknown service ${String(service)}`);
  });
  const typescriptFiles = plan.map((u) => graph.blocks.get(u)!).filter((b) => b.language === 'typescript' && b.file && b.fileExists).map((b) => b.file!);
  let compiled: Awaited<ReturnType<typeof compileBlocks>>;
  try {
    compiled = await compileBlocks(typescriptFiles, { cacheDir: compiledBlocksDir(stateDir(root)), cwd: root });
  } catch (error) {
    // Not a syntax error (those fail their block): esbuild itself failed. The run ends here, recorded.
    emit({ kind: 'run-finished', time: now(), runId, status: 'failed', durationMs: Date.now() - started.getTime() });
    throw error;
  }
  pool.warm(Math.min(concurrency, plan.length));

  const finish = (block: string, status: BlockStatus, extra: Partial<Extract<RunEvent, { kind: 'block-finished' }>> = {}) => {
    results.set(block, { status, error: extra.error, output: extra.output });
    emit({ kind: 'block-finished', time: now(), runId, block, status, attempt: extra.attempt ?? 0, durationMs: extra.durationMs ?? 0, ...extra });
  };

  const runBlock = async (uuid: string): Promise<void> => {
    const block = graph.blocks.get(uuid)!;
    const upstream: { uuid: string; output: StoredOutput }[] = [];
    const upstreamFrom: Record<string, string> = {};
    for (const up of graph.upstream.get(uuid)!) {
      const here = results.get(up);
      if (here?.output) {
        upstream.push({ uuid: up, output: here.output });
        continue;
      }
      const earlier = cached.get(up);
      if (!earlier) {
        finish(uuid, 'failed', { error: { code: 'upstream', message: `No output of upstream block "${up}" from an earlier run: run it first, or add --with-upstream` } });
        return;
      }
      upstream.push({ uuid: up, output: earlier.output });
      upstreamFrom[up] = earlier.runId;
    }
    if (!block.file || !block.fileExists) {
      finish(uuid, 'failed', { error: { code: 'runtime', message: `The file of block "${uuid}" does not exist: ${block.file ?? '(none)'}` } });
      return;
    }
    const build = block.language === 'typescript' ? compiled.get(block.file) : undefined;
    if (build && 'error' in build) {
      finish(uuid, 'failed', { attempt: 1, error: build.error });
      return;
    }
    const dir = blockRunDir(root, runId, uuid);
    const logFile = join(dir, 'log.txt');
    mkdirSync(dir, { recursive: true });
    const retry = mergeRetryConfig(projectRetry, pipeline.raw.retry_config, block.raw.retry_config);
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      emit({ kind: 'block-started', time: now(), runId, block: uuid, attempt });
      const result = await pool.run(
        {
          runId, projectRoot: root, pipeline: pipeline.uuid,
          block: { uuid, type: block.type, language: block.language, file: block.file, configuration: block.configuration },
          upstream, variables, outputDir: join(dir, 'output'), workDir: join(dir, 'work'),
          cacheDir: compiledBlocksDir(stateDir(root)), profile: options.profile ?? 'default',
          sensorIntervalSeconds: Number(block.configuration.poke_interval ?? 60), compiled: build?.compiled,
        },
        {
          timeoutSeconds: blockTimeout(block.raw.timeout),
          signal,
          onMessage: (message) => {
            if (message.kind === 'log') {
              const text = redact(message.message);
              appendFileSync(logFile, `${now()} ${message.level.toUpperCase()} ${text}\n`);
              options.onEvent?.({ kind: 'block-log', time: now(), runId, block: uuid, level: message.level, message: text });
            } else if (message.kind === 'progress') {
              options.onEvent?.({ kind: 'block-progress', time: now(), runId, block: uuid, rows: message.rows, bytes: message.bytes });
            }
          },
        },
      );
      const common = { attempt, startedAt: new Date(startedAt).toISOString(), durationMs: Date.now() - startedAt, peakMemoryBytes: result.peakMemoryBytes };
      if (result.status === 'completed') {
        finish(uuid, 'completed', { ...common, output: result.output, tests: result.tests, ...(Object.keys(upstreamFrom).length ? { upstreamFrom } : {}) });
        return;
      }
      if (result.status === 'cancelled' || signal.aborted) {
        finish(uuid, 'cancelled', { ...common, error: result.error });
        return;
      }
      appendFileSync(logFile, redact(`${now()} ERROR ${result.error.message}\n${result.error.stack ?? ''}\n`));
      const retryable = result.error.code !== 'syntax' && result.error.code !== 'unsupported' && attempt <= retry.retries;
      if (!retryable) {
        finish(uuid, 'failed', { ...common, error: result.error });
        return;
      }
      const delay = retryDelay(retry, attempt);
      emit({ kind: 'block-retry', time: now(), runId, block: uuid, attempt, delaySeconds: delay, error: result.error });
      await sleep(delay, signal);
      if (signal.aborted) {
        finish(uuid, 'cancelled', { ...common, error: { code: 'cancelled', message: 'Cancelled' } });
        return;
      }
    }
  };

  // Schedules blocks as their upstream blocks finish: a failure marks everything downstream of it.
  try {
    const settledUpstream = (uuid: string) => graph.upstream.get(uuid)!.every((u) => !inRun.has(u) || results.has(u));
    while (pending.length > 0 || running.size > 0) {
      for (let i = 0; i < pending.length && running.size < concurrency; ) {
        const uuid = pending[i];
        if (signal.aborted) {
          pending.splice(i, 1);
          finish(uuid, 'cancelled', { error: { code: 'cancelled', message: 'Cancelled before it started' } });
          continue;
        }
        if (!settledUpstream(uuid)) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        const failed = options.stopOnBlockFailure ? [...results].find(([, r]) => r.status === 'failed')?.[0] : undefined;
        if (failed) {
          finish(uuid, 'cancelled', { error: { code: 'cancelled', message: `Not run: block ${failed} failed, and the trigger does not let blocks fail (settings.allow_blocks_to_fail)` } });
          continue;
        }
        const failedUp = graph.upstream.get(uuid)!.filter((u) => inRun.has(u) && results.get(u)!.status !== 'completed');
        if (failedUp.length > 0) {
          finish(uuid, signal.aborted ? 'cancelled' : 'upstream_failed', { error: { code: 'upstream', message: `Upstream block${failedUp.length > 1 ? 's' : ''} ${failedUp.join(', ')} did not complete` } });
          continue;
        }
        const task = runBlock(uuid).finally(() => running.delete(task));
        running.add(task);
      }
      if (running.size > 0) await Promise.race(running);
      else if (pending.length > 0 && !signal.aborted) throw new Error('Internal error: no block can start; the plan is inconsistent');
    }
  } finally {
    clearTimeout(timer);
    await pool.close();
    if (!options.embeddedPostgres) await embedded.stop();
  }
  const statuses = [...results.values()].map((r) => r.status);
  let status: RunResult['status'];
  if (timedOut) status = options.timeoutStatus ?? 'failed';
  else if (signal.aborted) status = 'cancelled';
  else if (statuses.every((s) => s === 'completed' || s === 'skipped')) status = 'completed';
  else status = statuses.some((s) => s === 'failed' || s === 'upstream_failed') ? 'failed' : 'cancelled';
  emit({ kind: 'run-finished', time: now(), runId, status, durationMs: Date.now() - started.getTime() });
  return { runId, status, blocks: results, ...(timedOut ? { timedOut } : {}) };
}

function concurrencyOf(pipeline: Pipeline): number {
  const limit = (pipeline.raw.concurrency_config as Record<string, unknown> | null | undefined)?.block_run_limit;
  if (typeof limit === 'number' && limit > 0) return limit;
  return Math.min(4, availableParallelism());
}
