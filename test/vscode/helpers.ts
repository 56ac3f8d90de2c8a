// Helpers of the extension-host tests: they run inside VS Code's extension host (code-server here,
// desktop VS Code through @vscode/test-electron), with the real `vscode` API and the extension under
// development loaded from this repository.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PipewrightApi } from '../../extension/main.js';
import type { Node } from '../../extension/tree.js';
import type { LiveRun } from '../../extension/runs.js';

export const EXTENSION_ID = 'pipewright.pipewright';

/** The extension, activated (by the workspace's pipelines, as for a user), and what it returns. */
export async function pipewright(): Promise<PipewrightApi> {
  const extension = vscode.extensions.getExtension<PipewrightApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
  return extension.isActive ? extension.exports : await extension.activate();
}

/** The workspace folders' paths (the tests' projects). */
export function roots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
}

/** Polls `probe` every 100 ms until it returns something other than undefined/false; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The next run event of `pipeline` that satisfies `done`, bounded by `timeoutMs`. */
export function nextRun(api: PipewrightApi, pipeline: string, done: (run: LiveRun) => boolean, timeoutMs = 60_000): Promise<LiveRun> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for a run of ${pipeline}`));
    }, timeoutMs);
    const listener = api.onDidChangeRun((run) => {
      if (run.pipeline !== pipeline || !done(run)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(run);
    });
  });
}

/** The tree's children of `node` (or its roots) with their items. */
export async function children(api: PipewrightApi, node?: Node): Promise<{ node: Node; item: vscode.TreeItem }[]> {
  const nodes = (await api.pipelines.getChildren(node)) ?? [];
  return Promise.all(nodes.map(async (child) => ({ node: child, item: await api.pipelines.getTreeItem(child) })));
}

/** A tree item's label as text. */
export function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** The labels of every open editor tab. */
export function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
}
