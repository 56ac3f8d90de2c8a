import * as vscode from 'vscode';
import type { RunRecord } from '../runtime/history/run-history.js';
import type { ProjectView, Projects } from './projects.js';
import { runItem } from './tree.js';

/** How many runs the Runs view lists. */
const SHOWN = 100;

/** The Runs view: the newest runs of every pipeline of the workspace (manual, triggered, backfills). */
export class RunsView implements vscode.TreeDataProvider<{ view: ProjectView; run: RunRecord }> {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly projects: Projects) {
    projects.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: { view: ProjectView; run: RunRecord }): { view: ProjectView; run: RunRecord }[] {
    if (node) return [];
    return this.projects.all
      .flatMap((view) => view.runs.map((run) => ({ view, run })))
      .sort((a, b) => b.run.startedAt.localeCompare(a.run.startedAt) || b.run.runId.localeCompare(a.run.runId))
      .slice(0, SHOWN);
  }

  getTreeItem(node: { view: ProjectView; run: RunRecord }): vscode.TreeItem {
    return runItem(node.view, node.run, { withPipeline: true });
  }
}
