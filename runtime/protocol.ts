import type { Problem } from './problem.js';

/**
 * Every message that crosses a process boundary: webview messages, run events, the block workers'
 * tasks and messages, the language server's checking thread, and the JSON the CLI prints for other
 * tools and the extension. Each case says who sends it, to whom, and when.
 */

/** A block as the DAG webview draws it. */
export interface DagBlock {
  uuid: string;
  name: string;
  type: string;
  language: string;
  upstream: string[];
  /** A dynamic block: each item of its output runs its downstream blocks once. */
  dynamic?: boolean;
  /** Runs once per item of this dynamic block (its runs are `<uuid>:<key>` in the statuses). */
  perItemOf?: string;
  /** Gathers its runs' outputs into one list for its downstream blocks. */
  reduces?: boolean;
  /** A conditional or callback: the blocks it is attached to (drawn with dashed links, not in the run order). */
  attachedTo?: string[];
}

/** One block of the latest run, for the timeline beside the graph. */
export interface TimelineBar {
  block: string;
  /** Milliseconds from the run's start. */
  startMs: number;
  durationMs: number;
  rows?: number;
  status: string;
}

/** Messages from the extension host to the DAG webview. */
export type HostToWebview =
  /** Host → webview, when the panel opens and whenever the pipeline's files change: the graph to draw. */
  | { kind: 'graph'; pipeline: string; blocks: DagBlock[]; order: string[]; cycle: string[] | null }
  /** Host → webview, after the graph and whenever a run moves on: each block's status, and the latest run's timeline. */
  | { kind: 'status'; statuses: Record<string, string>; timeline: TimelineBar[]; focus?: string };

/** What a user can do to a block from the DAG. */
export type BlockAction = 'openBlock' | 'runBlock' | 'runFrom' | 'preview';

/** Messages from the DAG webview to the extension host. */
export type WebviewToHost =
  /** Webview → host, when the user activates a block or one of its actions. */
  | { kind: BlockAction; uuid: string }
  /** Webview → host, once its script has loaded: send the graph. */
  | { kind: 'ready' };

const ACTIONS: readonly string[] = ['openBlock', 'runBlock', 'runFrom', 'preview'] satisfies BlockAction[];

/** Checks a message from the webview, which the host must not trust. */
export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (value === null || typeof value !== 'object') return false;
  const message = value as Record<string, unknown>;
  if (message.kind === 'ready') return true;
  return typeof message.kind === 'string' && ACTIONS.includes(message.kind) && typeof message.uuid === 'string';
}

/** Checks a message from the host in the webview. */
export function isHostToWebview(value: unknown): value is HostToWebview {
  if (value === null || typeof value !== 'object') return false;
  const message = value as Record<string, unknown>;
  if (message.kind === 'status') return typeof message.statuses === 'object' && Array.isArray(message.timeline);
  return message.kind === 'graph' && typeof message.pipeline === 'string' && Array.isArray(message.blocks) && Array.isArray(message.order);
}

// ---------------------------------------------------------------------------------------------
// Runs: the CLI process emits these as JSON lines (--events FILE) and keeps them in the run
// history; the extension follows a run through them. Times are ISO 8601 strings.

/** Where a block's run ended up. */
export type BlockStatus = 'completed' | 'failed' | 'upstream_failed' | 'cancelled' | 'skipped' | 'condition_failed';

/** Where a pipeline run ended up; `interrupted` when its process died without saying. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** Why a block failed, with the place in its source when known (1-based). */
export interface BlockError {
  code: 'syntax' | 'runtime' | 'test' | 'unsupported' | 'timeout' | 'cancelled' | 'upstream' | 'memory';
  message: string;
  stack?: string;
  file?: string;
  line?: number;
  col?: number;
}

/** A block output as stored in a run's folder. */
export interface StoredOutput {
  kind: 'table' | 'json' | 'none';
  files: string[];
  rows: number;
  columns: { name: string; type: string }[];
  bytes: number;
  /**
   * A dynamic block's items, one JSON file each, and the name of the child each item makes
   * (`<downstream>:<key>`): the index, or the block_uuid of the item's metadata.
   */
  items?: { files: string[]; keys: string[] };
  /** For a block run once per item: the outputs of its runs that completed, in item order. */
  parts?: StoredOutput[];
}

/** One event of a run. */
export type RunEvent =
  /** CLI → history/extension, when a run starts. */
  | {
      kind: 'run-started';
      time: string;
      runId: string;
      pipeline: string;
      executionDate: string;
      blocks: string[];
      variables: Record<string, unknown>;
      pid: number;
      host: string;
      /** The process's start time in clock ticks since boot (Linux), so a reused PID is not mistaken for it. */
      pidStarted?: number;
      /** Blocks run on their own (`--block`, `--from`): the others are not part of this run. */
      partial?: boolean;
      trigger?: string;
      backfill?: string;
    }
  /** CLI → history/extension, when a block starts an attempt. */
  | { kind: 'block-started'; time: string; runId: string; block: string; attempt: number }
  /** CLI → extension, while a long block runs (not kept in the history). */
  | { kind: 'block-progress'; time: string; runId: string; block: string; rows?: number; bytes?: number }
  /** CLI → extension, for every log line of a block (not kept in the history; see the log file). */
  | { kind: 'block-log'; time: string; runId: string; block: string; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  /** CLI → history/extension, when a failed attempt will be retried. */
  | { kind: 'block-retry'; time: string; runId: string; block: string; attempt: number; delaySeconds: number; error: BlockError }
  /** CLI → history/extension, when a block is done for good. */
  | {
      kind: 'block-finished';
      time: string;
      runId: string;
      block: string;
      status: BlockStatus;
      attempt: number;
      startedAt?: string;
      durationMs: number;
      output?: StoredOutput;
      error?: BlockError;
      tests?: { passed: number; total: number };
      peakMemoryBytes?: number;
      /** For a block run on its own: the runs its upstream outputs came from. */
      upstreamFrom?: Record<string, string>;
      /** For a block run once per item of a dynamic block: its children's names (`<uuid>:<key>`), each with events of its own. */
      children?: string[];
      /** For a child of a dynamic block: the block it is a run of. */
      parent?: string;
    }
  /** CLI → history/extension, when a callback attached to a block has run (its failure never changes the block's result). */
  | { kind: 'callback-finished'; time: string; runId: string; block: string; callback: string; on: 'success' | 'failure'; status: 'completed' | 'failed'; error?: BlockError }
  /** CLI → history/extension, when the run ends. */
  | { kind: 'run-finished'; time: string; runId: string; status: Exclude<RunStatus, 'running'>; durationMs: number };

/**
 * A project's settings as a run resolved them once, for every block: the variables of its .env and
 * dev.env, and each io_config.yaml profile's settings or the error using it gives (an unset
 * variable, a broken file). Blocks never read these files themselves.
 */
export interface ProjectSettings {
  /** The .env / dev.env variables (the real environment wins over them). */
  env: Record<string, string>;
  profiles: Record<string, { settings: Record<string, unknown> } | { error: string }>;
  /** Errors of io_config.yaml itself, which every use of a profile reports. */
  fileErrors: string[];
  /** io_config.yaml's profiles, and where an unknown profile is reported; absent when there is no io_config.yaml. */
  ioConfig?: { known: string[]; where: string };
}

/** What the runtime asks a block worker to do. */
export interface BlockTask {
  runId: string;
  projectRoot: string;
  pipeline: string;
  block: { uuid: string; type: string; language: string; file: string; configuration: Record<string, unknown> };
  /** The outputs of its upstream blocks, in upstream_blocks order. */
  upstream: { uuid: string; output: StoredOutput }[];
  variables: Record<string, unknown>;
  outputDir: string;
  workDir: string;
  cacheDir: string;
  profile: string;
  settings: ProjectSettings;
  /** Seconds between two checks of a sensor. */
  sensorIntervalSeconds: number;
  /** The compiled CommonJS of a TypeScript block (compiled by the runtime before the run). */
  compiled?: string;
  /** A dynamic block: its output is a list whose items each start a run of the downstream blocks. */
  dynamic?: boolean;
  /** For a callback: which of its handlers to run, and the parent block's error on failure (its output is the upstream). */
  callback?: { on: 'success' | 'failure'; parent: string; error?: BlockError };
  /** For one run of a block per item of a dynamic block: the item's index and the run's name (`<uuid>:<key>`). */
  item?: { index: number; name: string };
  /** For a conditional: the block it guards (its upstream outputs are the upstream here). */
  guards?: string;
}

/** Messages from the runtime to a block worker; a worker runs one task at a time, many in its life. */
export type WorkerCommand =
  | { kind: 'run'; task: BlockTask }
  | { kind: 'abort' }
  /** The runtime's answer to a worker's `request`. */
  | { kind: 'response'; id: number; value?: unknown; error?: string };

/** Services a block worker asks the runtime for, because they outlive one block (a server). */
export type ServiceRequest = 'embedded-postgres' | 'warehouse-lock' | 'warehouse-unlock';

/** Messages from a block worker to the runtime. */
export type WorkerMessage =
  | { kind: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { kind: 'progress'; rows?: number; bytes?: number }
  /** `condition`: what a conditional block decided. */
  | { kind: 'done'; output: StoredOutput; tests: { passed: number; total: number }; condition?: boolean }
  | { kind: 'failed'; error: BlockError }
  /** After an `abort`: what ran outside JavaScript (DuckDB, PostgreSQL, BigQuery) was told to stop, so the worker can be terminated. */
  | { kind: 'aborted' }
  | { kind: 'request'; id: number; service: ServiceRequest };

/** Language server → its checking thread: check a whole project, with the editor's unsaved texts. */
export interface CheckRequest {
  id: number;
  root: string;
  documents: [string, string][];
}

/** Checking thread → language server: the project's problems, or why it could not check it. */
export type CheckResult = { id: number; problems: Problem[] } | { id: number; error: string };

// What the CLI prints with --json (or --format json): read by the extension, scripts and CI.

/** `pipewright runs --json`: one run, newest first, with its blocks. */
export interface RunJson {
  id: string;
  pipeline: string;
  status: RunStatus;
  execution_date: string;
  trigger: string | null;
  backfill: string | null;
  partial: boolean;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  blocks: {
    block: string;
    status: BlockStatus | 'running' | 'pending';
    attempts: number;
    duration_ms: number | null;
    rows: number | null;
    columns: { name: string; type: string }[] | null;
    error: BlockError | null;
    upstream_from: Record<string, string> | null;
    children?: string[];
    parent?: string;
    callbacks?: { callback: string; on: 'success' | 'failure'; status: 'completed' | 'failed'; error?: BlockError }[];
  }[];
}

/** `pipewright graph <PIPELINE> --format json`: the pipeline's blocks and edges. */
export interface GraphJson {
  pipeline: string;
  name: string;
  order: string[];
  cycle: string[] | null;
  blocks: {
    uuid: string;
    name: string;
    type: string;
    language: string;
    list: string;
    file: string | null;
    fileExists: boolean;
    upstream: string[];
    dynamic: boolean;
    fannedBy: string | null;
    reduceOutput: boolean;
    downstream: string[];
  }[];
  edges: { from: string; to: string; listedIn: 'upstream' | 'downstream' | 'both' }[];
}

/** `pipewright preview <PIPELINE> <BLOCK> --json`: a table's first rows, or the value a block returned. */
export type PreviewJson =
  { run: string; rows: number; columns: { name: string; type: string }[]; preview: Record<string, unknown>[] } | { run: string; kind: 'json' | 'none'; value: unknown };

/** `pipewright backfill ... --dry-run --json`: the runs a backfill would make and skip. */
export interface BackfillPlanJson {
  pipeline: string;
  backfill: string;
  to_run: number;
  done: number;
  intervals: { execution_date: string; start: string; end: string; action: 'run' | 'skip'; previous_run_id: string | null }[];
}

/** `pipewright triggers --json`: each trigger with its next run times. */
export interface TriggerJson {
  pipeline: string;
  name: string;
  type: string;
  schedule: string | null;
  status: 'active' | 'inactive';
  timezone: string;
  next: string[];
  error?: string;
}

/** `pipewright profiles --json`: each profile of io_config.yaml, secrets masked. */
export interface ProfileJson {
  name: string;
  embedded: boolean;
  settings: Record<string, unknown>;
  /** Environment variables it names that are not set here. */
  unset: string[];
}

/** `pipewright validate --format json`. */
export interface ValidateJson {
  projects: string[];
  pipelines: number;
  errors: number;
  warnings: number;
  problems: Problem[];
}

/** `pipewright new block ... --json`: the block added, and its file relative to the project. */
export interface NewBlockJson {
  block: string;
  pipeline: string;
  file: string;
  /** The file existed already (another pipeline's block), and is now shared. */
  shared: boolean;
}
