// The entry of a block worker thread (bundled as dist/block-worker.js). One worker runs one block:
// it builds the inputs from upstream outputs, runs the block's code or SQL, runs its tests and
// persists its output. The runtime can terminate it at any moment, even in an endless loop.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { format } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BLOCK_API, BLOCK_API_KEY } from '../block-api/api.js';
import { isBlockDefinition, isTestDefinition, type BlockDefinition, type TestDefinition } from '../block-api/definitions.js';
import { setBlockEnvironment } from '../block-api/environment.js';
import { Dataset } from '../data/dataset.js';
import { openDuck, parquetSource } from '../data/duck.js';
import { persistOutput } from '../data/persist.js';
import { readProjectEnv } from '../project/load-project.js';
import { readProfile } from '../project/read-profile.js';
import type { BlockError, BlockTask, StoredOutput, WorkerMessage } from '../protocol.js';
import { BlockCompileError, compileBlock } from './compile-block.js';
import { captureCallSites, errorPosition } from './error-position.js';
import { runSqlBlock, SqlBlockError } from './sql-block.js';

const task = workerData as BlockTask;
const send = (message: WorkerMessage) => parentPort!.postMessage(message);
type Level = 'debug' | 'info' | 'warn' | 'error';
const log = (level: Level) => (...values: unknown[]) => send({ kind: 'log', level, message: format(...values) });

/** A failure with everything the user needs: what, and where in their file. */
class BlockFailure extends Error {
  constructor(readonly detail: BlockError) {
    super(detail.message);
  }
}

function failure(error: unknown, code: BlockError['code'], compiled?: string, prefix = ''): BlockFailure {
  if (error instanceof BlockFailure) return error;
  if (error instanceof BlockCompileError || error instanceof SqlBlockError) return new BlockFailure(error.detail);
  const message = error instanceof Error ? error.message : String(error);
  const where = compiled ? errorPosition(error, compiled) : undefined;
  return new BlockFailure({ code, message: `${prefix}${message}`, stack: error instanceof Error ? error.stack : undefined, ...where });
}

async function input(connection: DuckDBConnection, upstream: BlockTask['upstream'][number]): Promise<unknown> {
  if (upstream.output.kind === 'table') return new Dataset(connection, parquetSource(upstream.output.files), upstream.uuid);
  if (upstream.output.kind === 'json') return JSON.parse(readFileSync(upstream.output.files[0], 'utf8'));
  return undefined;
}

function context(signal: AbortSignal) {
  return {
    vars: { ...task.variables, block_uuid: task.block.uuid, pipeline_uuid: task.pipeline },
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    runId: task.runId,
    pipelineUuid: task.pipeline,
    blockUuid: task.block.uuid,
    signal,
    profile: task.profile,
    config: async (profile?: string) => readProfile(task.projectRoot, profile ?? task.profile),
    progress: (progress: { rows?: number; bytes?: number }) => send({ kind: 'progress', ...progress }),
  };
}

async function loadDefinition(compiled: string): Promise<{ block: BlockDefinition; tests: [string, TestDefinition][] }> {
  let exports: Record<string, unknown>;
  try {
    exports = createRequire(compiled)(compiled) as Record<string, unknown>;
  } catch (error) {
    throw failure(error, 'runtime', compiled, 'The block failed while loading: ');
  }
  const blocks = Object.entries(exports).filter(([, value]) => isBlockDefinition(value));
  const block = (isBlockDefinition(exports.default) ? exports.default : blocks[0]?.[1]) as BlockDefinition | undefined;
  if (!block) {
    throw new BlockFailure({
      code: 'runtime',
      message: `${task.block.file} exports no block: add "export default ${camel(task.block.type)}(async (...) => { ... })" (import it from 'pipewright')`,
      file: task.block.file,
      line: 1,
      col: 1,
    });
  }
  const tests = Object.entries(exports).filter((entry): entry is [string, TestDefinition] => isTestDefinition(entry[1]));
  return { block, tests };
}

function camel(type: string): string {
  return type.replace(/_(.)/g, (_m, c: string) => c.toUpperCase());
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

async function runTypescript(connection: DuckDBConnection, signal: AbortSignal): Promise<{ output: StoredOutput; tests: { passed: number; total: number } }> {
  const compiled = await compileBlock(task.block.file, task.cacheDir);
  const { block, tests } = await loadDefinition(compiled);
  const inputs = await Promise.all(task.upstream.map((u) => input(connection, u)));
  const ctx = context(signal);
  let value: unknown;
  try {
    if (block.kind === 'sensor') {
      // Polled until true; the runtime's timeout ends a sensor that never becomes true.
      for (let check = 1; !(await block.run(...inputs, ctx)); check++) {
        log('info')(`Sensor not ready (check ${check}); next check in ${task.sensorIntervalSeconds} s`);
        await sleep(task.sensorIntervalSeconds * 1000, signal);
      }
      value = undefined;
    } else {
      value = await block.run(...inputs, ctx);
    }
  } catch (error) {
    throw failure(error, 'runtime', compiled);
  }
  const output = await persist(connection, value);
  let passed = 0;
  for (const [name, test] of tests) {
    const result = output.kind === 'table' ? new Dataset(connection, parquetSource(output.files), task.block.uuid) : value;
    try {
      await test.check(result, ctx);
      passed++;
    } catch (error) {
      throw failure(error, 'test', compiled, `Test "${name}" failed (${passed}/${tests.length} passed): `);
    }
  }
  if (tests.length > 0) log('info')(`${passed}/${tests.length} tests passed`);
  return { output, tests: { passed, total: tests.length } };
}

async function persist(connection: DuckDBConnection, value: unknown): Promise<StoredOutput> {
  try {
    return await persistOutput(connection, value, { dir: task.outputDir, onProgress: ({ rows }) => send({ kind: 'progress', rows }) });
  } catch (error) {
    throw failure(error, 'runtime', undefined, 'Cannot store the block\'s output: ');
  }
}

async function main(): Promise<void> {
  process.setSourceMapsEnabled(true);
  captureCallSites();
  const controller = new AbortController();
  parentPort!.on('message', (message: { kind?: string }) => {
    if (message.kind === 'abort') controller.abort();
  });
  for (const level of ['debug', 'info', 'warn', 'error'] as const) console[level] = log(level);
  console.log = log('info');
  const connection = await openDuck({ tempDirectory: task.workDir });
  setBlockEnvironment({ connection, workDir: task.workDir, signal: controller.signal });
  (globalThis as Record<symbol, unknown>)[BLOCK_API_KEY] = BLOCK_API;
  if (task.block.language === 'typescript') {
    send({ kind: 'done', ...(await runTypescript(connection, controller.signal)) });
  } else if (task.block.language === 'sql') {
    const inputs = task.upstream.map((u) => ({ uuid: u.uuid, output: u.output }));
    const env = readProjectEnv(task.projectRoot);
    const output = await runSqlBlock(connection, { file: task.block.file, inputs, variables: { ...task.variables, block_uuid: task.block.uuid }, env: (n) => process.env[n] ?? env.get(n), outputDir: task.outputDir });
    send({ kind: 'done', output, tests: { passed: 0, total: 0 } });
  } else {
    throw new BlockFailure({
      code: 'unsupported',
      message: `Pipewright runs TypeScript and SQL blocks; "${task.block.uuid}" is ${task.block.language} (${task.block.file}). Mage runs it; to run it here, rewrite it as a .ts or .sql block`,
      file: task.block.file,
    });
  }
}

main().catch((error: unknown) => {
  const detail = error instanceof BlockFailure ? error.detail : failure(error, 'runtime').detail;
  send({ kind: 'failed', error: detail });
});
