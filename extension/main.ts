import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { addBlock } from './add-block.js';
import { backfill } from './backfill.js';
import { createPipeline, createProject, pickProfile } from './create.js';
import { explainUntrusted, runCli } from './cli.js';
import { UNTRUSTED_MESSAGE } from './cli-gate.js';
import { RunLenses } from './code-lens.js';
import { addDevContainerTo, ContainerOffer } from './dev-container.js';
import { DagPanels, showPreview, type Target } from './panels.js';
import { Projects } from './projects.js';
import { Runs, type LiveRun } from './runs.js';
import { RunsView } from './runs-view.js';
import { SchedulerControl } from './scheduler.js';
import { PipelinesTree, type Node } from './tree.js';

let client: LanguageClient | undefined;

function startLanguageServer(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/language-server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', pattern: '**/{metadata,triggers,io_config,settings}.yaml' },
      { scheme: 'file', pattern: '**/*.{ts,sql,py}' },
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.yaml,.env,*.ts,*.sql,*.py}') },
  };
  client = new LanguageClient('pipewright', 'Pipewright', serverOptions, clientOptions);
  return client.start();
}

/** What a command was invoked on: a tree node, a code lens or DAG target, or (none) the active editor. */
async function targetOf(projects: Projects, argument: unknown, needBlock: boolean): Promise<Target | undefined> {
  const node = argument as Partial<Node> | undefined;
  if (node?.kind === 'pipeline' && node.view) return { root: node.view.project.root, pipeline: node.pipeline! };
  if (node?.kind === 'block' && node.view && node.block) return { root: node.view.project.root, pipeline: node.pipeline!, block: node.block.uuid };
  const given = argument as Partial<Target> | undefined;
  if (given && typeof given.root === 'string' && typeof given.pipeline === 'string') return given as Target;
  const file = vscode.window.activeTextEditor?.document.uri.fsPath;
  if (file) {
    const uses = projects.usesOf(file);
    if (uses.length === 1) return { root: uses[0].view.project.root, pipeline: uses[0].pipeline, block: uses[0].block };
    if (uses.length > 1) {
      const picked = await vscode.window.showQuickPick(
        uses.map((u) => ({ label: u.pipeline, description: u.block, use: u })),
        { placeHolder: 'This file is a block of several pipelines: which one?' },
      );
      return picked && { root: picked.use.view.project.root, pipeline: picked.use.pipeline, block: picked.use.block };
    }
    const found = needBlock ? undefined : projects.pipelineOfMetadata(file);
    if (found) return { root: found.view.project.root, pipeline: found.pipeline.uuid };
  }
  const pipelines = projects.all.flatMap((view) => [...view.project.pipelines.keys()].map((uuid) => ({ label: uuid, description: projects.all.length > 1 ? view.project.name : undefined, root: view.project.root })));
  if (pipelines.length === 0) {
    void vscode.window.showWarningMessage('No Pipewright pipelines in this workspace: open a folder with pipelines/<name>/metadata.yaml');
    return undefined;
  }
  const pipeline = await vscode.window.showQuickPick(pipelines, { placeHolder: 'Pipeline' });
  if (!pipeline) return undefined;
  if (!needBlock) return { root: pipeline.root, pipeline: pipeline.label };
  const graph = projects.pipeline(pipeline.label, pipeline.root)!.view.graphs.get(pipeline.label)!;
  const block = await vscode.window.showQuickPick(graph.order, { placeHolder: 'Block' });
  return block ? { root: pipeline.root, pipeline: pipeline.label, block } : undefined;
}

/** What activation returns, for other extensions and the extension-host tests (test/vscode/). */
export interface PipewrightApi {
  /** The Pipelines view's data: projects, pipelines, blocks with their last-run status, triggers, runs. */
  readonly pipelines: vscode.TreeDataProvider<Node>;
  /** Fires as a run started in this window goes (block by block) and when it ends. */
  readonly onDidChangeRun: vscode.Event<LiveRun>;
}

/** Starts the language server, the Pipelines view, code lenses, runs in terminals, the DAG and previews. */
export async function activate(context: vscode.ExtensionContext): Promise<PipewrightApi> {
  const projects = new Projects();
  const runs = new Runs(context);
  const dags = new DagPanels(context, projects, runs);
  const tree = new PipelinesTree(projects, runs);
  const logs = vscode.window.createOutputChannel('Pipewright', { log: false } as never) as vscode.OutputChannel;
  const scheduler = new SchedulerControl(context);
  context.subscriptions.push(projects, runs, dags, logs, scheduler);
  // A run's end changes the history (which file watchers may not see inside .pipewright/).
  context.subscriptions.push(runs.onDidChange((run) => run.finished && projects.reloadSoon()));
  context.subscriptions.push(
    vscode.window.createTreeView('pipewright.pipelines', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.window.createTreeView('pipewright.runs', { treeDataProvider: new RunsView(projects) }),
    vscode.languages.registerCodeLensProvider([{ scheme: 'file', pattern: '**/*.{ts,sql,py,yaml}' }], new RunLenses(projects)),
  );

  const offer = new ContainerOffer(context);
  /** Runs execute the project's code: never in an untrusted workspace, whatever invoked them (a code lens, the DAG, a keybinding). */
  const trusted = (): boolean => {
    if (vscode.workspace.isTrusted) return true;
    explainUntrusted(UNTRUSTED_MESSAGE);
    return false;
  };
  const command = (id: string, needBlock: boolean, body: (target: Target) => unknown, runs = false) =>
    vscode.commands.registerCommand(id, async (argument?: unknown) => {
      const target = await targetOf(projects, argument, needBlock);
      if (!target || (needBlock && !target.block)) return;
      if (runs && !trusted()) return;
      if (runs && !(await offer.runHere(target.root))) return;
      await body(target);
    });
  const pickProject = async (placeHolder: string): Promise<string | undefined> => {
    const roots = projects.all.map((view) => ({ label: view.project.name, description: view.project.root, root: view.project.root }));
    const picked = roots.length > 1 ? await vscode.window.showQuickPick(roots, { placeHolder }) : roots[0];
    return picked?.root;
  };
  const withProfile = (args: string[]): string[] => {
    const profile = vscode.workspace.getConfiguration('pipewright').get<string>('profile');
    return profile ? [...args, '--profile', profile] : args;
  };
  /** A run's arguments with the settings: the profile, and how many blocks may run at once. */
  const runArgs = (args: string[]): string[] => {
    const limit = vscode.workspace.getConfiguration('pipewright').get<number>('maxConcurrency');
    return withProfile(limit && limit > 0 ? [...args, '--concurrency', String(limit)] : args);
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('pipewright.refresh', () => projects.reload()),
    command('pipewright.runPipeline', false, (t) => runs.start(t.root, t.pipeline, runArgs(['run', t.pipeline]), t.pipeline), true),
    command('pipewright.runBlock', true, (t) => runs.start(t.root, t.pipeline, runArgs(['run', t.pipeline, '--block', t.block!]), `${t.pipeline}/${t.block}`), true),
    command('pipewright.runBlockWithUpstream', true, (t) => runs.start(t.root, t.pipeline, runArgs(['run', t.pipeline, '--block', t.block!, '--with-upstream']), `${t.pipeline}/${t.block} with upstream`), true),
    command('pipewright.runFrom', true, (t) => runs.start(t.root, t.pipeline, runArgs(['run', t.pipeline, '--from', t.block!]), `${t.pipeline} from ${t.block}`), true),
    command('pipewright.previewOutput', true, (t) => showPreview(context, t as Target & { block: string })),
    command('pipewright.openDag', false, (t) => dags.open(t)),
    command('pipewright.addBlock', false, (t) => addBlock(context, projects, t)),
    command('pipewright.openBlock', true, async (t) => {
      const block = projects.pipeline(t.pipeline, t.root)?.pipeline.blocks.find((b) => b.uuid === t.block);
      if (block?.file && block.fileExists) await vscode.window.showTextDocument(vscode.Uri.file(block.file), { preview: false, viewColumn: vscode.ViewColumn.One });
      else void vscode.window.showWarningMessage(`Block ${t.block} has no file yet${block?.file ? `: ${vscode.workspace.asRelativePath(block.file)}` : ''}`);
    }),
    command('pipewright.backfill', false, (t) => backfill(context, t, { profileArgs: withProfile([]), onRunFinished: () => projects.reloadSoon() }), true),
    vscode.commands.registerCommand('pipewright.showLogs', async (root: string, runId: string) => {
      const result = await runCli(context, ['logs', runId], root);
      logs.clear();
      logs.append(result.stdout + result.stderr);
      logs.show(true);
    }),
    vscode.commands.registerCommand('pipewright.activateTrigger', (node?: Node) => setTriggerStatus(node, 'active')),
    vscode.commands.registerCommand('pipewright.deactivateTrigger', (node?: Node) => setTriggerStatus(node, 'inactive')),
    vscode.commands.registerCommand('pipewright.startScheduler', async () => {
      const root = await pickProject('Run the scheduler of which project?');
      if (root && trusted() && (await offer.runHere(root))) scheduler.start(root, withProfile(['scheduler']));
    }),
    vscode.commands.registerCommand('pipewright.addDevContainer', async () => {
      const root = await pickProject('Add a dev container to which project?');
      if (!root) {
        if (projects.all.length === 0) void vscode.window.showWarningMessage('No Pipewright project in this workspace: open a folder with io_config.yaml or pipelines/');
        return;
      }
      await addDevContainerTo(root);
      await projects.reload();
    }),
    vscode.commands.registerCommand('pipewright.stopScheduler', () => scheduler.stop()),
    vscode.commands.registerCommand('pipewright.createProject', () => createProject()),
    vscode.commands.registerCommand('pipewright.newPipeline', async () => {
      const root = await pickProject('Add a pipeline to which project?');
      if (root) await createPipeline(projects, root);
    }),
    vscode.commands.registerCommand('pipewright.pickProfile', async () => {
      const root = await pickProject('Pick a profile of which project?');
      if (root) await pickProfile(projects, root);
    }),
    vscode.commands.registerCommand('pipewright.validateProject', () => vscode.commands.executeCommand('workbench.actions.view.problems')),
  );
  /** Turns a trigger on or off through the CLI, which edits only its status in triggers.yaml. */
  async function setTriggerStatus(node: Node | undefined, status: 'active' | 'inactive'): Promise<void> {
    if (node?.kind !== 'trigger') return;
    const result = await runCli(context, ['triggers', node.pipeline, status === 'active' ? '--activate' : '--deactivate', node.trigger.name], node.view.project.root);
    if (result.code !== 0) void vscode.window.showErrorMessage(result.stderr.replace(/^error: /, '').trim() || `Cannot change trigger ${node.trigger.name}`);
    await projects.reload();
  }
  await projects.reload();
  void vscode.commands.executeCommand('setContext', 'pipewright.hasProject', projects.all.length > 0);
  scheduler.show(projects.all.length > 0);
  // The views work without the language server: activation does not wait for it to answer.
  startLanguageServer(context).catch((error: unknown) => void vscode.window.showErrorMessage(`Pipewright's language server did not start: ${(error as Error).message}`));
  return { pipelines: tree, onDidChangeRun: runs.onDidChange };
}

/** Stops the language server with the window. */
export async function deactivate(): Promise<void> {
  await client?.stop();
}
