// The entry of a block worker thread (bundled as dist/block-worker.js). A worker runs the blocks the
// runtime sends it, one at a time: it builds the inputs from upstream outputs, runs the block's code
// or SQL, runs its tests and persists its output. The runtime terminates it when a block times out
// or is cancelled, even in an endless loop, and starts a fresh one for the next block.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { format } from 'node:util';
import { parentPort } from 'node:worker_threads';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sleep } from '../abortable-sleep.js';
import { interruptAll, onInterrupt } from '../interrupts.js';
import { BLOCK_API, BLOCK_API_KEY } from '../block-api/api.js';
import { isBlockDefinition, isTestDefinition, type BlockDefinition, type TestDefinition } from '../block-api/definitions.js';
import { setBlockEnvironment } from '../block-api/environment.js';
import { parquetSource } from '../data/sql-text.js';
import type { PostgresSettings } from '../connectors/embedded-postgres.js';
import type { BlockTask, ServiceRequest, StoredOutput, WorkerCommand, WorkerMessage } from '../protocol.js';
import { BlockFailure, failure } from './block-failure.js';
import { writeItems } from './dynamic-items.js';
import { captureCallSites } from './error-position.js';
import type { ProviderSqlOptions } from './sql-block.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const send = (message: WorkerMessage) => parentPort!.postMessage(message);
const log =
  (level: Level) =>
  (...values: unknown[]) =>
    send({ kind: 'log', level, message: format(...values) });

// DuckDB and the data layer load on first use: a block that passes nothing around never pays for them.
let duck: DuckDBConnection | undefined;
async function connection(workDir: string): Promise<DuckDBConnection> {
  if (!duck) {
    const { interruptDuck, openDuck } = await import('../data/duck.js');
    const opened = await openDuck({ tempDirectory: workDir });
    // The worker's DuckDB lives as long as the worker, and a stopped block must stop its queries.
    onInterrupt(() => interruptDuck(opened));
    duck = opened;
  }
  return duck;
}

async function input(task: BlockTask, upstream: BlockTask['upstream'][number]): Promise<unknown> {
  // A block run once per item: the outputs of all its runs, as one list.
  if (upstream.output.parts) return Promise.all(upstream.output.parts.map((output) => input(task, { uuid: upstream.uuid, output })));
  if (upstream.output.kind === 'json') return JSON.parse(readFileSync(upstream.output.files[0], 'utf8'));
  if (upstream.output.kind !== 'table') return undefined;
  const { Dataset } = await import('../data/dataset.js');
  return new Dataset(await connection(task.workDir), parquetSource(upstream.output.files), upstream.uuid);
}

// Requests to the runtime for services that outlive a block, such as the embedded PostgreSQL.
const pendingRequests = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextRequest = 1;
function request(service: ServiceRequest): Promise<unknown> {
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    pendingRequests.set(id, { resolve, reject });
    send({ kind: 'request', id, service });
  });
}

/** How to reach PostgreSQL with a profile: the embedded server (asked of the runtime) or the profile's settings. */
async function postgresSettings(task: BlockTask, profile: string): Promise<PostgresSettings> {
  const [{ profileOf }, { postgresFor }] = await Promise.all([import('../project/read-profile.js'), import('../connectors/postgres-settings.js')]);
  return postgresFor(profile, profileOf(task.settings, profile), async () => (await request('embedded-postgres')) as PostgresSettings);
}

async function postgres(task: BlockTask, profile: string) {
  const { PostgresIo } = await import('../connectors/postgres.js');
  return new PostgresIo(await postgresSettings(task, profile), () => connection(task.workDir), task.workDir);
}

async function google(task: BlockTask, profile: string, signal: AbortSignal) {
  const [{ profileOf }, io] = await Promise.all([import('../project/read-profile.js'), import('../connectors/google-io.js')]);
  const settings = profileOf(task.settings, profile);
  const warehouseLock = async () => {
    await request('warehouse-lock');
    return async () => void (await request('warehouse-unlock'));
  };
  const shared = { projectRoot: task.projectRoot, duck: () => connection(task.workDir), workDir: task.workDir, signal, warehouseLock };
  return { gcs: () => io.gcsFor(shared, profile, settings), bigquery: () => io.warehouseFor(shared, profile, settings) };
}

/** The run's variables as a block sees them: its uuid, and for a run per item, which item (Mage's dynamic_block_index). */
function blockVariables(task: BlockTask): Record<string, unknown> {
  const item = task.item ? { dynamic_block_index: task.item.index, dynamic_block_uuid: task.item.name } : {};
  return { ...task.variables, block_uuid: task.block.uuid, ...item };
}

/** The block a conditional or callback runs for (Mage's parent_block_uuid). */
function parentOf(task: BlockTask): string | undefined {
  return task.guards ?? task.callback?.parent;
}

function context(task: BlockTask, signal: AbortSignal) {
  return {
    io: {
      postgres: (profile?: string) => postgres(task, profile ?? task.profile),
      gcs: async (profile?: string) => (await google(task, profile ?? task.profile, signal)).gcs(),
      bigquery: async (profile?: string) => (await google(task, profile ?? task.profile, signal)).bigquery(),
    },
    vars: { ...blockVariables(task), pipeline_uuid: task.pipeline, ...(parentOf(task) ? { parent_block_uuid: parentOf(task) } : {}) },
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    runId: task.runId,
    pipelineUuid: task.pipeline,
    blockUuid: task.block.uuid,
    signal,
    profile: task.profile,
    config: async (profile?: string) => (await import('../project/read-profile.js')).profileOf(task.settings, profile ?? task.profile),
    progress: (progress: { rows?: number; bytes?: number }) => send({ kind: 'progress', ...progress }),
  };
}

function loadDefinition(task: BlockTask, compiled: string): { block: BlockDefinition; tests: [string, TestDefinition][] } {
  let exports: Record<string, unknown>;
  try {
    exports = createRequire(compiled)(compiled) as Record<string, unknown>;
  } catch (error) {
    throw failure(error, 'runtime', compiled, 'The block failed while loading: ');
  }
  const blocks = Object.values(exports).filter(isBlockDefinition);
  const block = isBlockDefinition(exports.default) ? exports.default : blocks[0];
  if (!block) {
    const wrapper = task.block.type.replace(/_(.)/g, (_m, c: string) => c.toUpperCase());
    throw new BlockFailure({
      code: 'runtime',
      message: `${task.block.file} exports no block: add "export default ${wrapper}(async (...) => { ... })" (import it from 'pipewright')`,
      file: task.block.file,
      line: 1,
      col: 1,
    });
  }
  const tests = Object.entries(exports).filter((entry): entry is [string, TestDefinition] => isTestDefinition(entry[1]));
  return { block, tests };
}

/** Whether a value needs DuckDB to be stored: anything but nothing and plain JSON values. */
function mayBeTable(value: unknown): boolean {
  return value !== undefined && value !== null && typeof value === 'object';
}

async function persist(task: BlockTask, value: unknown): Promise<StoredOutput> {
  const { persistOutput } = await import('../data/persist.js');
  let output: StoredOutput;
  try {
    const db = mayBeTable(value) ? await connection(task.workDir) : undefined;
    output = await persistOutput(db, value, { dir: task.outputDir, onProgress: ({ rows }) => send({ kind: 'progress', rows }) });
  } catch (error) {
    throw failure(error, 'runtime', undefined, "Cannot store the block's output: ");
  }
  await reportSkippedRows();
  return output;
}

/** Rows that readCsv(..., { badRows: 'skip' }) left out, from DuckDB's reject table: counted and shown. */
async function reportSkippedRows(): Promise<void> {
  if (!duck) return;
  const found = await duck.runAndReadAll("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'reject_errors'");
  if (Number(found.getRowObjectsJS()[0].n) === 0) return;
  const rejects = (await duck.runAndReadAll('SELECT line, error_message FROM reject_errors ORDER BY line')).getRowObjectsJS();
  if (rejects.length > 0) {
    const first = rejects.slice(0, 3).map((r) => `line ${String(r.line)}: ${String(r.error_message).split('\n')[0]}`);
    log('warn')(
      `${rejects.length} row${rejects.length === 1 ? '' : 's'} could not be read and ${rejects.length === 1 ? 'was' : 'were'} skipped (badRows: 'skip'); ${first.join('; ')}`,
    );
  }
  await duck.run('DELETE FROM reject_errors; DELETE FROM reject_scans');
}

type Done = Extract<WorkerMessage, { kind: 'done' }>;
const NO_OUTPUT: StoredOutput = { kind: 'none', files: [], rows: 0, columns: [], bytes: 0 };

async function runTypescript(task: BlockTask, signal: AbortSignal): Promise<Done> {
  const compiled = task.compiled!;
  const { block, tests } = loadDefinition(task, compiled);
  const inputs = await Promise.all(task.upstream.map((u) => input(task, u)));
  const ctx = context(task, signal);
  let value: unknown;
  try {
    if (block.kind === 'sensor') {
      // Polled until true; the runtime's timeout ends a sensor that never becomes true.
      for (let check = 1; !(await block.run(...inputs, ctx)); check++) {
        log('info')(`Sensor not ready (check ${check}); next check in ${task.sensorIntervalSeconds} s`);
        await sleep(task.sensorIntervalSeconds, signal);
        if (signal.aborted) throw new Error('Cancelled while waiting');
      }
    } else if (block.kind === 'conditional') {
      const decided = await block.run(...inputs, ctx);
      if (typeof decided !== 'boolean') {
        throw new BlockFailure({
          code: 'runtime',
          message: `Condition "${task.block.uuid}" must return true or false, got ${JSON.stringify(decided) ?? typeof decided}`,
          file: task.block.file,
        });
      }
      return { kind: 'done', output: NO_OUTPUT, tests: { passed: 0, total: 0 }, condition: decided };
    } else if (block.kind === 'callback') {
      const on = task.callback?.on ?? 'success';
      const error = task.callback?.error;
      const args =
        on === 'success' ? inputs : [Object.assign(new Error(error?.message ?? 'The block failed'), { code: error?.code, file: error?.file, line: error?.line, col: error?.col })];
      await block.run(on, ...args, ctx);
      return { kind: 'done', output: NO_OUTPUT, tests: { passed: 0, total: 0 } };
    } else {
      value = await block.run(...inputs, ctx);
    }
  } catch (error) {
    throw failure(error, 'runtime', compiled);
  }
  const items = task.dynamic ? await writeItems(task, value) : undefined;
  const output = await persist(task, value);
  let passed = 0;
  for (const [name, test] of tests) {
    const result = output.kind === 'table' ? await input(task, { uuid: task.block.uuid, output }) : value;
    try {
      await test.check(result, ctx);
      passed++;
    } catch (error) {
      throw failure(error, 'test', compiled, `Test "${name}" failed (${passed}/${tests.length} passed): `);
    }
  }
  if (tests.length > 0) log('info')(`${passed}/${tests.length} tests passed`);
  return { kind: 'done', output: items ? { ...output, items } : output, tests: { passed, total: tests.length } };
}

/** What a SQL block on a data provider gets from its task, and the profile it runs with. */
async function providerSqlOptions(task: BlockTask): Promise<{ options: ProviderSqlOptions; profile: string }> {
  const profile = typeof task.block.configuration.data_provider_profile === 'string' ? task.block.configuration.data_provider_profile : task.profile;
  const options: ProviderSqlOptions = {
    file: task.block.file,
    pipeline: task.pipeline,
    block: task.block.uuid,
    configuration: task.block.configuration,
    inputs: task.upstream,
    variables: blockVariables(task),
    env: (name) => process.env[name],
    outputDir: task.outputDir,
    duck: () => connection(task.workDir),
  };
  return { options, profile };
}

/** A SQL block's result; for a dynamic block, with each row as an item of its own. */
async function sqlDone(task: BlockTask, output: StoredOutput): Promise<Done> {
  if (!task.dynamic || output.kind !== 'table') return { kind: 'done', output, tests: { passed: 0, total: 0 } };
  const { Dataset } = await import('../data/dataset.js');
  const items = await writeItems(task, new Dataset(await connection(task.workDir), parquetSource(output.files)));
  return { kind: 'done', output: { ...output, items }, tests: { passed: 0, total: 0 } };
}

async function runTask(task: BlockTask, signal: AbortSignal): Promise<WorkerMessage> {
  setBlockEnvironment({
    connection: () => connection(task.workDir),
    projectRoot: task.projectRoot,
    workDir: task.workDir,
    signal,
    progress: (progress) => send({ kind: 'progress', ...progress }),
    log: (level, message) => log(level)(message),
  });
  // Every block sees the project's .env and dev.env (read once by the run) under the real
  // environment: process.env.X in TypeScript, {{ env_var('X') }} in SQL.
  (await import('../project/project-env.js')).applyEnv(Object.entries(task.settings.env));
  if (task.block.language === 'typescript') return runTypescript(task, signal);
  if (task.block.language === 'sql' && task.block.configuration.data_provider === 'postgres') {
    const { runSqlOnPostgres } = await import('./sql-postgres.js');
    const { options, profile } = await providerSqlOptions(task);
    return sqlDone(task, await runSqlOnPostgres({ ...options, workDir: task.workDir, settings: await postgresSettings(task, profile) }));
  }
  if (task.block.language === 'sql' && task.block.configuration.data_provider === 'bigquery') {
    const { runSqlOnBigQuery } = await import('./sql-bigquery.js');
    const { options, profile } = await providerSqlOptions(task);
    return sqlDone(task, await runSqlOnBigQuery({ ...options, warehouse: (await google(task, profile, signal)).bigquery() }));
  }
  const provider = task.block.configuration.data_provider;
  if (task.block.language === 'sql' && provider !== undefined && provider !== null && provider !== 'duckdb') {
    throw new BlockFailure({
      code: 'unsupported',
      message: `SQL blocks run on duckdb, postgres or bigquery; "${task.block.uuid}" asks for data_provider: ${String(provider)}. Set one of those in its configuration in metadata.yaml`,
      file: task.block.file,
    });
  }
  if (task.block.language === 'sql') {
    const { runSqlBlock } = await import('./sql-block.js');
    const output = await runSqlBlock(await connection(task.workDir), {
      file: task.block.file,
      inputs: task.upstream,
      variables: blockVariables(task),
      env: (name) => process.env[name],
      outputDir: task.outputDir,
    });
    return sqlDone(task, output);
  }
  // The run's runner table (block-runner.ts) sends other languages elsewhere.
  throw new Error(`Internal error: a ${task.block.language} block was sent to the block worker`);
}

process.setSourceMapsEnabled(true);
captureCallSites();
for (const level of ['debug', 'info', 'warn', 'error'] as const) console[level] = log(level);
console.log = log('info');
(globalThis as Record<symbol, unknown>)[BLOCK_API_KEY] = BLOCK_API;
let controller = new AbortController();
let running: Promise<void> = Promise.resolve();
parentPort!.on('message', (command: WorkerCommand) => {
  if (command.kind === 'abort') {
    controller.abort();
    // Terminating this thread cannot stop a DuckDB query or a server's statement: interrupt them
    // first, and let the block's code see its query fail, since a native call that completes while
    // the thread is being terminated aborts the whole process. Then say so, and the runtime
    // terminates the thread.
    void interruptAll(3000)
      .then(() => Promise.race([running, new Promise((resolve) => setTimeout(resolve, 2000))]))
      .then(() => send({ kind: 'aborted' }));
    return;
  }
  if (command.kind === 'response') {
    const waiting = pendingRequests.get(command.id);
    pendingRequests.delete(command.id);
    if (command.error !== undefined) waiting?.reject(new Error(command.error));
    else waiting?.resolve(command.value);
    return;
  }
  controller = new AbortController();
  running = runTask(command.task, controller.signal).then(send, (error: unknown) => send({ kind: 'failed', error: failure(error, 'runtime').detail }));
});
