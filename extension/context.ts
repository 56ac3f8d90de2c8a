import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { explainUntrusted } from './cli.js';
import { UNTRUSTED_MESSAGE } from './cli-gate.js';
import { ContainerOffer } from './dev-container.js';
import { DagPanels, type Target } from './panels.js';
import { Projects } from './projects.js';
import { Runs } from './runs.js';
import { SchedulerControl } from './scheduler.js';
import { PipelinesTree, type Node } from './tree.js';

/**
 * What the extension's commands share, and the owner of every lifecycle: the project models, the
 * runs in terminals, the DAG panels, the Pipelines tree, the scheduler, the language client. It is
 * disposed with the extension (rust-analyzer's `Ctx` is the model).
 */
export class Ctx implements vscode.Disposable {
  readonly projects = new Projects();
  readonly runs: Runs;
  readonly dags: DagPanels;
  readonly tree: PipelinesTree;
  readonly logs: vscode.OutputChannel;
  readonly scheduler: SchedulerControl;
  readonly offer: ContainerOffer;
  private client: LanguageClient | undefined;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.runs = new Runs(extension);
    this.dags = new DagPanels(extension, this.projects, this.runs);
    this.tree = new PipelinesTree(this.projects, this.runs);
    this.logs = vscode.window.createOutputChannel('Pipewright', { log: false } as never) as vscode.OutputChannel;
    this.scheduler = new SchedulerControl(extension);
    this.offer = new ContainerOffer(extension);
    // The interpreter the Python extension selected runs Python blocks: activated now, it is known by the first run.
    void vscode.extensions.getExtension('ms-python.python')?.activate();
    extension.subscriptions.push(this.projects, this.runs, this.dags, this.logs, this.scheduler, this);
    // A run's end changes the history (which file watchers may not see inside .pipewright/).
    extension.subscriptions.push(this.runs.onDidChange((run) => run.finished && this.projects.reloadSoon()));
  }

  /** Ties something's lifetime to the extension's. */
  own(...disposables: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...disposables);
  }

  /** Runs execute the project's code: never in an untrusted workspace, whatever invoked them (a code lens, the DAG, a keybinding). */
  trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    explainUntrusted(UNTRUSTED_MESSAGE);
    return false;
  }

  /** The project a command is for: the only one, or the one the user picks. */
  async pickProject(placeHolder: string): Promise<string | undefined> {
    const roots = this.projects.all.map((view) => ({ label: view.project.name, description: view.project.root, root: view.project.root }));
    const picked = roots.length > 1 ? await vscode.window.showQuickPick(roots, { placeHolder }) : roots[0];
    return picked?.root;
  }

  /** CLI arguments with the profile setting. */
  withProfile(args: string[]): string[] {
    const profile = vscode.workspace.getConfiguration('pipewright').get<string>('profile');
    return profile ? [...args, '--profile', profile] : args;
  }

  /** A run's arguments with the settings: the profile, and how many blocks may run at once. */
  runArgs(args: string[]): string[] {
    const limit = vscode.workspace.getConfiguration('pipewright').get<number>('maxConcurrency');
    return this.withProfile(limit && limit > 0 ? [...args, '--concurrency', String(limit)] : args);
  }

  /** What a command was invoked on: a tree node, a code lens or DAG target, or (none) the active editor. */
  async targetOf(argument: unknown, needBlock: boolean): Promise<Target | undefined> {
    const node = argument as Partial<Node> | undefined;
    if (node?.kind === 'pipeline' && node.view) return { root: node.view.project.root, pipeline: node.pipeline! };
    if (node?.kind === 'block' && node.view && node.block) return { root: node.view.project.root, pipeline: node.pipeline!, block: node.block.uuid };
    const given = argument as Partial<Target> | undefined;
    if (given && typeof given.root === 'string' && typeof given.pipeline === 'string') return given as Target;
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    const fromFile = file ? await this.targetOfFile(file, needBlock) : undefined;
    if (fromFile !== undefined) return fromFile || undefined;
    const projects = this.projects;
    const pipelines = projects.all.flatMap((view) =>
      [...view.project.pipelines.keys()].map((uuid) => ({ label: uuid, description: projects.all.length > 1 ? view.project.name : undefined, root: view.project.root })),
    );
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

  /** The target of the file in the editor: a block (of the pipeline the user picks), a pipeline's metadata.yaml; false when the user cancelled. */
  private async targetOfFile(file: string, needBlock: boolean): Promise<Target | false | undefined> {
    const uses = this.projects.usesOf(file);
    if (uses.length === 1) return { root: uses[0].view.project.root, pipeline: uses[0].pipeline, block: uses[0].block };
    if (uses.length > 1) {
      const picked = await vscode.window.showQuickPick(
        uses.map((u) => ({ label: u.pipeline, description: u.block, use: u })),
        { placeHolder: 'This file is a block of several pipelines: which one?' },
      );
      return picked ? { root: picked.use.view.project.root, pipeline: picked.use.pipeline, block: picked.use.block } : false;
    }
    const found = needBlock ? undefined : this.projects.pipelineOfMetadata(file);
    return found && { root: found.view.project.root, pipeline: found.pipeline.uuid };
  }

  /** Starts the language server; the views work without it, so nothing waits for it. */
  startLanguageServer(): void {
    const module = this.extension.asAbsolutePath('dist/language-server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', pattern: '**/{metadata,triggers,io_config,settings}.yaml' },
        { scheme: 'file', pattern: '**/*.{ts,sql,py}' },
      ],
      // The run history too: the language server shows where the latest run of a block failed.
      synchronize: {
        fileEvents: [vscode.workspace.createFileSystemWatcher('**/{*.yaml,.env,*.ts,*.sql,*.py}'), vscode.workspace.createFileSystemWatcher('**/.pipewright/history/runs.jsonl')],
      },
    };
    this.client = new LanguageClient('pipewright', 'Pipewright', serverOptions, clientOptions);
    this.client.start().catch((error: unknown) => void vscode.window.showErrorMessage(`Pipewright's language server did not start: ${(error as Error).message}`));
  }

  /** Stops the language server (the window is closing). */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.stop();
  }

  dispose(): void {
    void this.stop();
  }
}
