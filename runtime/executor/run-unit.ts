import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Block, Pipeline } from '../project/model.js';
import type { BlockError, BlockTask, ProjectSettings, StoredOutput } from '../protocol.js';
import { compiledBlocksDir } from '../layout.js';
import { isDynamic } from '../graph/dynamic.js';
import type { BlockRunner } from './block-runner.js';
import type { compileBlocks } from './compile-block.js';
import { blockRunDir, safeName } from './run-dirs.js';
import type { RunJournal } from './run-journal.js';
import type { Outcome, Step } from './run-state.js';
import { attachedTo, blockTimeout, itemOutput, missingFileMessage, sensorInterval, type Unit } from './run-units.js';

type Compiled = Awaited<ReturnType<typeof compileBlocks>>;
type Start = Extract<Step, { kind: 'start' }>;

/** What every unit of a run shares. */
export interface UnitContext {
  root: string;
  pipeline: Pipeline;
  blocks: ReadonlyMap<string, Block>;
  journal: RunJournal;
  runnerFor: (language: string) => BlockRunner;
  compiled: Compiled;
  variables: Record<string, unknown>;
  profile: string;
  /** The project's .env and io_config.yaml profiles, resolved once for the run. */
  settings: ProjectSettings;
  signal: AbortSignal;
}

/**
 * Runs attempts of a run's units: the block's checks (its file, its build), its conditionals before
 * the first attempt, the attempt itself with the block's runner, and its callbacks after the last.
 */
export class UnitExecutor {
  private readonly conditionalsOf: Map<string, Block[]>;
  private readonly callbacksOf: Map<string, Block[]>;
  private readonly startedAt = new Map<string, number>();
  /** Each unit's inputs, for its Python callbacks. */
  private readonly inputsOf = new Map<string, BlockTask['upstream']>();

  constructor(private readonly ctx: UnitContext) {
    this.conditionalsOf = attachedTo(ctx.pipeline, 'conditionals');
    this.callbacksOf = attachedTo(ctx.pipeline, 'callbacks');
  }

  /** Runs one attempt of a unit the run state started. */
  async attempt(step: Start): Promise<Outcome> {
    const { unit, attempt } = step;
    const { journal, signal } = this.ctx;
    const block = this.ctx.blocks.get(unit.block)!;
    if (!block.file || !block.fileExists) return { status: 'failed', attempt: 0, final: true, error: { code: 'runtime', message: missingFileMessage(block) } };
    const build = block.language === 'typescript' ? this.ctx.compiled.get(block.file) : undefined;
    if (build && 'error' in build) return { status: 'failed', attempt: 1, final: true, error: build.error };
    const { dir, logFile } = this.dirOf(unit);
    const upstream = step.inputs.map(({ uuid, output, item }) => ({ uuid, output: item === undefined ? output : itemOutput(output, item) }));
    if (attempt === 1) {
      this.startedAt.set(unit.name, Date.now());
      this.inputsOf.set(unit.name, upstream);
      const verdict = await this.checkConditions(unit, upstream);
      if (verdict !== true) {
        const details = { durationMs: Date.now() - this.startedAt.get(unit.name)! };
        if ('error' in verdict) return { status: 'failed', attempt: 0, final: true, error: verdict.error, details };
        journal.note(unit.name, logFile, 'info', `Condition "${verdict.skippedBy}" is false: ${unit.name} and the blocks downstream of it are skipped`);
        return { status: 'condition_failed', attempt: 0, final: true, error: { code: 'upstream', message: `Skipped: condition "${verdict.skippedBy}" is false` }, details };
      }
    }
    journal.emit({ kind: 'block-started', time: new Date().toISOString(), runId: journal.runId, block: unit.name, attempt });
    const timeoutSeconds = blockTimeout(block.raw.timeout);
    const dynamic = isDynamic(block) && !unit.item;
    const result = await this.ctx.runnerFor(block.language).run(
      { ...this.taskOf(block, dir, upstream), ...(dynamic ? { dynamic } : {}), ...(unit.item ? { item: { index: unit.item.index, name: unit.name } } : {}) },
      {
        timeoutSeconds,
        ...(block.type === 'sensor' && timeoutSeconds
          ? { timeoutMessage: `Sensor "${unit.name}" was not ready within its timeout (${timeoutSeconds} s, checking every ${sensorInterval(block)} s): it was stopped` }
          : {}),
        signal,
        onMessage: journal.log(unit.name, logFile),
      },
    );
    const started = this.startedAt.get(unit.name)!;
    const details = { startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, peakMemoryBytes: result.peakMemoryBytes };
    if (result.status === 'completed') {
      const from = Object.keys(step.upstreamFrom).length > 0 ? { upstreamFrom: step.upstreamFrom } : {};
      return { status: 'completed', attempt, output: result.output, details: { ...details, tests: result.tests, ...from } };
    }
    if (result.status === 'failed') journal.logError(logFile, result.error);
    return { status: result.status, attempt, error: result.error, details };
  }

  /** Runs the callbacks attached to a block, after it; their failures are logged and recorded, never the block's. */
  async runCallbacks(unit: Unit, outcome: { output: StoredOutput } | { error: BlockError }): Promise<void> {
    const { journal, signal } = this.ctx;
    const { dir, logFile } = this.dirOf(unit);
    const on = 'output' in outcome ? 'success' : 'failure';
    for (const callback of this.callbacksOf.get(unit.block) ?? []) {
      let error = this.cannotRun(callback);
      if (!error) {
        // A TypeScript callback gets the block's output; a Python one, as in Mage, the block's inputs.
        const upstream = callback.language === 'python' ? (this.inputsOf.get(unit.name) ?? []) : 'output' in outcome ? [{ uuid: unit.block, output: outcome.output }] : [];
        const failure = 'error' in outcome ? { error: journal.cleanError(outcome.error) } : {};
        const result = await this.ctx
          .runnerFor(callback.language)
          .run(
            { ...this.taskOf(callback, join(dir, 'callbacks', safeName(callback.uuid)), upstream), callback: { on, parent: unit.name, ...failure } },
            { timeoutSeconds: blockTimeout(callback.raw.timeout), signal, onMessage: journal.log(unit.name, logFile, `[callback ${callback.uuid}] `) },
          );
        if (result.status !== 'completed') error = result.error;
      }
      if (error) journal.note(unit.name, logFile, 'warn', `Callback "${callback.uuid}" (${on}) failed: ${error.message}`);
      journal.emit({
        kind: 'callback-finished',
        time: new Date().toISOString(),
        runId: journal.runId,
        block: unit.name,
        callback: callback.uuid,
        on,
        status: error ? 'failed' : 'completed',
        ...(error ? { error } : {}),
      });
    }
  }

  /** Runs a block's conditionals on its inputs: true when all hold, else which one said no, or why one failed. */
  private async checkConditions(unit: Unit, upstream: BlockTask['upstream']): Promise<true | { skippedBy: string } | { error: BlockError }> {
    const { dir, logFile } = this.dirOf(unit);
    for (const conditional of this.conditionalsOf.get(unit.block) ?? []) {
      const problem = this.cannotRun(conditional);
      if (problem) return { error: { ...problem, message: `Cannot check condition "${conditional.uuid}": ${problem.message}` } };
      const result = await this.ctx.runnerFor(conditional.language).run(
        { ...this.taskOf(conditional, join(dir, 'conditions', safeName(conditional.uuid)), upstream), guards: unit.name },
        {
          timeoutSeconds: blockTimeout(conditional.raw.timeout),
          signal: this.ctx.signal,
          onMessage: this.ctx.journal.log(unit.name, logFile, `[condition ${conditional.uuid}] `),
        },
      );
      if (result.status !== 'completed') return { error: { ...result.error, message: `Condition "${conditional.uuid}" failed: ${result.error.message}` } };
      if (result.condition === false) return { skippedBy: conditional.uuid };
    }
    return true;
  }

  /** Why an attached conditional or callback cannot run, or undefined when it can. */
  private cannotRun(block: Block): BlockError | undefined {
    if (!block.file || !block.fileExists) return { code: 'runtime', message: missingFileMessage(block) };
    if (block.language !== 'typescript' && block.language !== 'python')
      return {
        code: 'unsupported',
        message: `${block.type === 'callback' ? 'Callback' : 'Condition'} "${block.uuid}" is ${block.language} (${block.file}); Pipewright runs TypeScript and Python ones: rewrite it as a .ts or .py file`,
      };
    const build = this.ctx.compiled.get(block.file);
    return build && 'error' in build ? build.error : undefined;
  }

  /** A unit's folder in the run (made on first use) and its log file. */
  private dirOf(unit: Unit): { dir: string; logFile: string } {
    const dir = blockRunDir(this.ctx.root, this.ctx.journal.runId, unit.name);
    mkdirSync(dir, { recursive: true });
    return { dir, logFile: join(dir, 'log.txt') };
  }

  private taskOf(block: Block, dir: string, upstream: BlockTask['upstream']): BlockTask {
    const { root, pipeline, journal, compiled } = this.ctx;
    const build = block.file ? compiled.get(block.file) : undefined;
    return {
      runId: journal.runId,
      projectRoot: root,
      pipeline: pipeline.uuid,
      block: { uuid: block.uuid, type: block.type, language: block.language, file: block.file!, configuration: block.configuration },
      upstream,
      variables: this.ctx.variables,
      outputDir: join(dir, 'output'),
      workDir: join(dir, 'work'),
      cacheDir: compiledBlocksDir(root),
      profile: this.ctx.profile,
      settings: this.ctx.settings,
      sensorIntervalSeconds: sensorInterval(block),
      compiled: build && 'compiled' in build ? build.compiled : undefined,
    };
  }
}
