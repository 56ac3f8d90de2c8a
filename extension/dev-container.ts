import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import { addDevContainer } from '../runtime/scaffold/dev-container.js';

/** The Dev Containers extension's command that reopens the window's folder in its container. */
const REOPEN_IN_CONTAINER = 'remote-containers.reopenInContainer';
const DEV_CONTAINERS_EXTENSION = 'ms-vscode-remote.remote-containers';

/** Whether a project folder has a dev container configuration, where Dev Containers looks for one. */
export function hasDevContainer(root: string): boolean {
  return existsSync(join(root, '.devcontainer', 'devcontainer.json')) || existsSync(join(root, '.devcontainer.json'));
}

/** Reopens the window in the dev container, or points at the extension that can. */
async function reopenInContainer(): Promise<void> {
  if ((await vscode.commands.getCommands(true)).includes(REOPEN_IN_CONTAINER)) {
    await vscode.commands.executeCommand(REOPEN_IN_CONTAINER);
    return;
  }
  const show = await vscode.window.showInformationMessage(
    `Reopening in a container needs the Dev Containers extension (${DEV_CONTAINERS_EXTENSION}) and Docker.`,
    'Show Extension',
  );
  if (show) await vscode.commands.executeCommand('workbench.extensions.search', `@id:${DEV_CONTAINERS_EXTENSION}`);
}

/**
 * Before a run, the scheduler or a backfill in a local window of a project that has a dev container:
 * offers to reopen in the container (where runs use its PostgreSQL and the dev profile) instead.
 */
export class ContainerOffer {
  /** Projects whose runs go here for the rest of this window's life. */
  private readonly here = new Set<string>();

  /** `localWindow` says whether this window runs on the user's machine (not in a container, SSH or code-server). */
  constructor(
    private readonly context: Pick<vscode.ExtensionContext, 'workspaceState'>,
    private readonly localWindow: () => boolean = () => vscode.env.remoteName === undefined,
  ) {}

  /** True when the run should go on in this window. */
  async runHere(root: string): Promise<boolean> {
    if (!this.localWindow() || !hasDevContainer(root) || this.here.has(root)) return true;
    const key = `pipewright.runOutsideContainer:${root}`;
    if (this.context.workspaceState.get<boolean>(key)) return true;
    const choice = await vscode.window.showInformationMessage(
      'This project has a dev container. Reopen it in the container to run there?',
      {
        modal: true,
        detail: 'In the container, runs, the scheduler and the language server use its Node.js, its PostgreSQL service and the dev profile. Runs here use this machine.',
      },
      'Reopen in Container',
      'Run Here',
      'Always Run Here',
    );
    if (choice === 'Reopen in Container') {
      await reopenInContainer();
      return false;
    }
    if (choice === 'Run Here') this.here.add(root);
    if (choice === 'Always Run Here') await this.context.workspaceState.update(key, true);
    return choice !== undefined;
  }
}

/** "Pipewright: Add Dev Container": writes .devcontainer/ and docker-compose.yml, then offers to reopen. */
export async function addDevContainerTo(root: string): Promise<void> {
  let result: ReturnType<typeof addDevContainer>;
  try {
    result = addDevContainer(root);
  } catch (error) {
    void vscode.window.showErrorMessage((error as Error).message);
    return;
  }
  const changed = [...result.created.map((f) => relative(root, f)), ...result.appended.map((f) => `${relative(root, f)} (appended)`)];
  await vscode.window.showTextDocument(vscode.Uri.file(join(root, 'docker-compose.yml')), { preview: true });
  const isWorkspaceFolder = vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === root) ?? false;
  const message = `Added a dev container: ${changed.join(', ')}.${isWorkspaceFolder ? '' : ` To reopen in it, open ${root} as the window's folder.`}`;
  const actions = isWorkspaceFolder && vscode.env.remoteName === undefined ? ['Reopen in Container'] : [];
  const choice = await vscode.window.showInformationMessage(message, ...actions);
  if (choice === 'Reopen in Container') await reopenInContainer();
}
