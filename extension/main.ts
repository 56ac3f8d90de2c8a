import * as vscode from 'vscode';
import { RunLenses } from './code-lens.js';
import { registerCommands } from './commands.js';
import { Ctx } from './context.js';
import type { LiveRun } from './runs.js';
import { RunsView } from './runs-view.js';
import type { Node } from './tree.js';

let current: Ctx | undefined;

/** What activation returns, for other extensions and the extension-host tests (test/vscode/). */
export interface PipewrightApi {
  /** The Pipelines view's data: projects, pipelines, blocks with their last-run status, triggers, runs. */
  readonly pipelines: vscode.TreeDataProvider<Node>;
  /** Fires as a run started in this window goes (block by block) and when it ends. */
  readonly onDidChangeRun: vscode.Event<LiveRun>;
}

/** Starts the language server, the Pipelines view, code lenses, runs in terminals, the DAG and previews. */
export async function activate(context: vscode.ExtensionContext): Promise<PipewrightApi> {
  const ctx = (current = new Ctx(context));
  ctx.own(
    vscode.window.createTreeView('pipewright.pipelines', { treeDataProvider: ctx.tree, showCollapseAll: true }),
    vscode.window.createTreeView('pipewright.runs', { treeDataProvider: new RunsView(ctx.projects) }),
    vscode.languages.registerCodeLensProvider([{ scheme: 'file', pattern: '**/*.{ts,sql,py,yaml}' }], new RunLenses(ctx.projects)),
    ...registerCommands(ctx),
  );
  await ctx.projects.reload();
  void vscode.commands.executeCommand('setContext', 'pipewright.hasProject', ctx.projects.all.length > 0);
  ctx.scheduler.show(ctx.projects.all.length > 0);
  ctx.startLanguageServer();
  return { pipelines: ctx.tree, onDidChangeRun: ctx.runs.onDidChange };
}

/** Stops the language server with the window. */
export async function deactivate(): Promise<void> {
  await current?.stop();
}
