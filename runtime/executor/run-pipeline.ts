import { availableParallelism } from 'node:os';
import { EmbeddedPostgres } from '../connectors/embedded-postgres.js';
import { setLongTimeout, sleep } from '../abortable-sleep.js';
import { buildGraph, type PipelineGraph } from '../graph/graph.js';
import { checkStateDir, latestOutputs, readHistory } from '../history/run-history.js';
import { currentProcess } from '../history/process-identity.js';
import { fanOut, reducesOutput } from '../graph/dynamic.js';
import type { Pipeline, Project, Trigger } from '../project/model.js';
import { projectSecrets, redactor } from '../project/secrets.js';
import { resolveProjectSettings } from '../project/read-profile.js';
import type { BlockError, BlockStatus, RunStatus, RunEvent, StoredOutput } from '../protocol.js';
import { blockRunners } from './block-runner.js';
import { PythonRunner } from './python-runner.js';
import { compileBlocks } from './compile-block.js';
import { compiledBlocksDir } from '../layout.js';
import { mergeRetryConfig } from './retry.js';
import { newRunId, startHeartbeat } from './run-dirs.js';
import { RunJournal } from './run-journal.js';
import { planRun, type RunSelection } from './run-plan.js';
import { RunState, type Outcome, type RunStateInput, type Step } from './run-state.js';
import { UnitExecutor } from './run-unit.js';
import { attachedTo } from './run-units.js';
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
 * Runs a pipeline (or part of it): the run's state (RunState) says which units may start, the unit
 * executor runs them with the runner of their language (worker threads for TypeScript and SQL), and
 * their outcomes go back to the state; every change is written to the journal (history and `onEvent`).
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
  const stop = runSignal(options);
  const { signal } = stop;
  const executionDate = options.executionDate ?? started;
  const env = options.env ?? (options.trigger || options.backfill ? 'prod' : 'dev');
  const variables = runVariables({ pipeline, trigger: options.trigger, overrides: options.overrides ?? {}, executionDate, interval: options.interval, env, runId });
  // Resolved secrets (passwords, keys, tokens) never reach the terminal, logs, events or the history.
  const journal = new RunJournal(root, { runId, redact: redactor(projectSecrets(project)), onEvent: options.onEvent });
  const now = () => new Date().toISOString();
  const identity = currentProcess();
  const partial = plan.length < graph.order.length && Boolean(options.selection?.block ?? options.selection?.from);
  journal.emit({
    kind: 'run-started',
    time: started.toISOString(),
    runId,
    pipeline: pipeline.uuid,
    executionDate: executionDate.toISOString(),
    blocks: plan,
    variables,
    pid: identity.pid,
    host: identity.host,
    pidStarted: identity.started,
    partial,
    trigger: options.trigger?.name,
    backfill: options.backfill,
  });
  const finishRun = (status: RunResult['status']) => journal.emit({ kind: 'run-finished', time: now(), runId, status, durationMs: Date.now() - started.getTime() });

  const concurrency = Math.max(1, options.concurrency ?? concurrencyOf(pipeline));
  const state = new RunState(stateInput(options, { graph, plan, fannedBy: fan.fannedBy, concurrency }));
  if (signal.aborted) state.cancel();
  else signal.addEventListener('abort', () => state.cancel(), { once: true });
  // Started by the first block that asks for it, stopped when the run ends (unless it is shared).
  const embedded = options.embeddedPostgres ?? new EmbeddedPostgres(root);
  const pool = new WorkerPool(async (service) => {
    if (service === 'embedded-postgres') return embedded.ensure();
    throw new Error(`Unknown service ${String(service)}`);
  });
  const settings = resolveProjectSettings(root);
  const python = new PythonRunner({ root, env: settings.env, embedded: () => embedded });
  const running = new Set<Promise<void>>();
  const spawn = (work: Promise<void>) => {
    const task = work.finally(() => running.delete(task));
    running.add(task);
  };
  const fannedOutAt = new Map<string, number>();
  const stopHeartbeat = startHeartbeat(root, runId);
  try {
    const units = new UnitExecutor({
      root,
      pipeline,
      blocks: graph.blocks,
      journal,
      runnerFor: blockRunners({ pool, python }),
      variables,
      profile: options.profile ?? 'default',
      signal,
      settings,
      compiled: await compileRun(root, pipeline, graph, plan).catch((error: unknown) => {
        // Not a syntax error (those fail their block): esbuild itself failed. The run ends here, recorded.
        finishRun('failed');
        throw error;
      }),
    });
    /** Does what the state says; `after` is the attempt whose end led to the step. */
    const handle = (step: Step, after?: Outcome): void => {
      if (step.kind === 'start') spawn(units.attempt(step).then((outcome) => state.ended(step.unit.name, outcome).forEach((next) => handle(next, outcome))));
      else if (step.kind === 'fanned-out') fannedOutAt.set(step.block, Date.now());
      else if (step.kind === 'retry') {
        journal.emit({ kind: 'block-retry', time: now(), runId, block: step.name, attempt: step.attempt, delaySeconds: step.delaySeconds, error: step.error });
        spawn(sleep(step.delaySeconds, signal).then(() => state.retryDue(step.name)));
      } else {
        journal.settled(step, fannedOutAt.get(step.name));
        // A block that ran (not one skipped, nor a block run per item) has its callbacks run after it.
        if (after && !after.final && !step.children && (step.status === 'completed' || step.status === 'failed')) {
          spawn(units.runCallbacks({ name: step.name, block: step.parent ?? step.name }, step.status === 'completed' ? { output: step.output! } : { error: step.error! }));
        }
      }
    };
    // Workers for the blocks that can start at once (an idle worker holds some 15 MB); more start on demand.
    const inRun = new Set(plan);
    pool.warm(Math.min(concurrency, Math.max(1, plan.filter((u) => graph.upstream.get(u)!.every((up) => !inRun.has(up))).length)));
    // Callbacks may still run when the state is done.
    while (!state.done || running.size > 0) {
      for (const step of state.next()) handle(step);
      if (running.size > 0) await Promise.race(running);
    }
  } finally {
    stop.clear();
    stopHeartbeat();
    await Promise.all([pool.close(), python.close()]);
    if (!options.embeddedPostgres) await embedded.stop();
  }
  const status = state.status({ timedOut: stop.timedOut(), timeoutStatus: options.timeoutStatus });
  finishRun(status);
  return { runId, status, blocks: state.results, ...(stop.timedOut() ? { timedOut: true } : {}) };
}

/** What the run's state is told of the pipeline: its plan and links, outputs of earlier runs, retry settings. */
function stateInput(options: RunOptions, run: Pick<RunStateInput, 'plan' | 'fannedBy' | 'concurrency'> & { graph: PipelineGraph }): RunStateInput {
  const { project, pipeline } = options;
  const { graph, plan } = run;
  const projectRetry = (project.metadata?.value as Record<string, unknown> | null)?.retry_config;
  return {
    ...run,
    upstream: graph.upstream,
    stopOnBlockFailure: options.stopOnBlockFailure,
    reduces: new Set([...graph.blocks.values()].filter(reducesOutput).map((b) => b.uuid)),
    earlier: plan.length < graph.blocks.size ? latestOutputs(readHistory(project.root), pipeline.uuid) : new Map(),
    retry: (uuid) => mergeRetryConfig(projectRetry, pipeline.raw.retry_config, graph.blocks.get(uuid)!.raw.retry_config),
  };
}

/** The run's own signal: the caller's, or the run's timeout, whichever comes first. */
function runSignal(options: Pick<RunOptions, 'signal' | 'timeoutSeconds'>): { signal: AbortSignal; timedOut: () => boolean; clear: () => void } {
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
  return { signal: controller.signal, timedOut: () => timedOut, clear: () => timer?.clear() };
}

/** Compiles the TypeScript the run may run: its blocks and the conditionals and callbacks attached to them. */
function compileRun(root: string, pipeline: Pipeline, graph: PipelineGraph, plan: readonly string[]): ReturnType<typeof compileBlocks> {
  const attached = [attachedTo(pipeline, 'conditionals'), attachedTo(pipeline, 'callbacks')].flatMap((byBlock) => plan.flatMap((u) => byBlock.get(u) ?? []));
  const files = [...plan.map((u) => graph.blocks.get(u)!), ...attached].filter((b) => b.language === 'typescript' && b.file && b.fileExists).map((b) => b.file!);
  return compileBlocks([...new Set(files)], { cacheDir: compiledBlocksDir(root), cwd: root });
}

function concurrencyOf(pipeline: Pipeline): number {
  const limit = (pipeline.raw.concurrency_config as Record<string, unknown> | null | undefined)?.block_run_limit;
  if (typeof limit === 'number' && limit > 0) return limit;
  return Math.min(4, availableParallelism());
}
