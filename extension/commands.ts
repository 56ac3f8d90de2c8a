import * as vscode from 'vscode';
import { addBlock } from './add-block.js';
import { backfill } from './backfill.js';
import { runCli } from './cli.js';
import type { Ctx } from './context.js';
import { createPipeline, createProject, pickProfile } from './create.js';
import { addDevContainerTo } from './dev-container.js';
import { showPreview, type Target } from './panels.js';
import type { Node } from './tree.js';

/** A command on a pipeline or a block: what it was invoked on (tree, code lens, DAG, editor) or what the user picks. */
interface TargetCommand {
  on: 'pipeline' | 'block';
  /** It runs the project's code: only in a trusted workspace, and in the dev container when the user wants. */
  runs?: boolean;
  run: (ctx: Ctx, target: Target) => unknown;
}

/** A command with its own arguments, or none. */
interface PlainCommand {
  run: (ctx: Ctx, ...args: unknown[]) => unknown;
}

const onPipeline = (run: TargetCommand['run'], runs = false): TargetCommand => ({ on: 'pipeline', runs, run });
const onBlock = (run: TargetCommand['run'], runs = false): TargetCommand => ({ on: 'block', runs, run });
/** VS Code passes the arguments the caller gave (the Runs view's entries, a trigger node). */
const plain = <A extends unknown[]>(run: (ctx: Ctx, ...args: A) => unknown): PlainCommand => ({ run: run as PlainCommand['run'] });

const startRun = (ctx: Ctx, t: Target, args: string[], label: string) => ctx.runs.start(t.root, t.pipeline, ctx.runArgs(['run', t.pipeline, ...args]), label);

/** Every command of the extension (package.json's contributes.commands), by id. */
export const COMMANDS: Record<string, TargetCommand | PlainCommand> = {
  'pipewright.refresh': plain((ctx) => ctx.projects.reload()),
  'pipewright.runPipeline': onPipeline((ctx, t) => startRun(ctx, t, [], t.pipeline), true),
  'pipewright.runBlock': onBlock((ctx, t) => startRun(ctx, t, ['--block', t.block!], `${t.pipeline}/${t.block}`), true),
  'pipewright.runBlockWithUpstream': onBlock((ctx, t) => startRun(ctx, t, ['--block', t.block!, '--with-upstream'], `${t.pipeline}/${t.block} with upstream`), true),
  'pipewright.runFrom': onBlock((ctx, t) => startRun(ctx, t, ['--from', t.block!], `${t.pipeline} from ${t.block}`), true),
  'pipewright.previewOutput': onBlock((ctx, t) => showPreview(ctx.extension, t as Target & { block: string })),
  'pipewright.openDag': onPipeline((ctx, t) => ctx.dags.open(t)),
  'pipewright.addBlock': onPipeline((ctx, t) => addBlock(ctx.extension, ctx.projects, t)),
  'pipewright.openBlock': onBlock(openBlock),
  'pipewright.backfill': onPipeline((ctx, t) => backfill(ctx.extension, t, { profileArgs: ctx.withProfile([]), onRunFinished: () => ctx.projects.reloadSoon() }), true),
  'pipewright.showLogs': plain(showLogs),
  'pipewright.activateTrigger': plain((ctx, node?: Node) => setTriggerStatus(ctx, node, 'active')),
  'pipewright.deactivateTrigger': plain((ctx, node?: Node) => setTriggerStatus(ctx, node, 'inactive')),
  'pipewright.startScheduler': plain(async (ctx) => {
    const root = await ctx.pickProject('Run the scheduler of which project?');
    if (root && ctx.trusted() && (await ctx.offer.runHere(root))) ctx.scheduler.start(root, ctx.withProfile(['scheduler']));
  }),
  'pipewright.stopScheduler': plain((ctx) => ctx.scheduler.stop()),
  'pipewright.addDevContainer': plain(async (ctx) => {
    const root = await ctx.pickProject('Add a dev container to which project?');
    if (!root) {
      if (ctx.projects.all.length === 0) void vscode.window.showWarningMessage('No Pipewright project in this workspace: open a folder with io_config.yaml or pipelines/');
      return;
    }
    await addDevContainerTo(root);
    await ctx.projects.reload();
  }),
  'pipewright.createProject': plain(() => createProject()),
  'pipewright.newPipeline': plain(async (ctx) => withProject(ctx, 'Add a pipeline to which project?', (root) => createPipeline(ctx.projects, root))),
  'pipewright.pickProfile': plain(async (ctx) => withProject(ctx, 'Pick a profile of which project?', (root) => pickProfile(ctx.projects, root))),
  'pipewright.validateProject': plain(() => vscode.commands.executeCommand('workbench.actions.view.problems')),
};

/** Registers every command of the table, each with its target resolved and its trust checked first. */
export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, command]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      if (!('on' in command)) return command.run(ctx, ...args);
      const needBlock = command.on === 'block';
      const target = await ctx.targetOf(args[0], needBlock);
      if (!target || (needBlock && !target.block)) return;
      if (command.runs && !ctx.trusted()) return;
      if (command.runs && !(await ctx.offer.runHere(target.root))) return;
      await command.run(ctx, target);
    }),
  );
}

async function withProject(ctx: Ctx, question: string, then: (root: string) => Promise<unknown>): Promise<void> {
  const root = await ctx.pickProject(question);
  if (root) await then(root);
}

async function openBlock(ctx: Ctx, t: Target): Promise<void> {
  const block = ctx.projects.pipeline(t.pipeline, t.root)?.pipeline.blocks.find((b) => b.uuid === t.block);
  if (block?.file && block.fileExists) await vscode.window.showTextDocument(vscode.Uri.file(block.file), { preview: false, viewColumn: vscode.ViewColumn.One });
  else void vscode.window.showWarningMessage(`Block ${t.block} has no file yet${block?.file ? `: ${vscode.workspace.asRelativePath(block.file)}` : ''}`);
}

/** A run's log (the Runs view's entries), in the Pipewright output channel. */
async function showLogs(ctx: Ctx, root: string, runId: string): Promise<void> {
  const result = await runCli(ctx.extension, ['logs', runId], root);
  ctx.logs.clear();
  ctx.logs.append(result.stdout + result.stderr);
  ctx.logs.show(true);
}

/** Turns a trigger on or off through the CLI, which edits only its status in triggers.yaml. */
async function setTriggerStatus(ctx: Ctx, node: Node | undefined, status: 'active' | 'inactive'): Promise<void> {
  if (node?.kind !== 'trigger') return;
  const result = await runCli(ctx.extension, ['triggers', node.pipeline, status === 'active' ? '--activate' : '--deactivate', node.trigger.name], node.view.project.root);
  if (result.code !== 0) void vscode.window.showErrorMessage(result.stderr.replace(/^error: /, '').trim() || `Cannot change trigger ${node.trigger.name}`);
  await ctx.projects.reload();
}
