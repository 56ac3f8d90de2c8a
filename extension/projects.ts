import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { buildGraph, type PipelineGraph } from '../runtime/graph/graph.js';
import { readHistory, type RunRecord } from '../runtime/history/run-history.js';
import { ensureBlockTypes } from '../runtime/project/block-types.js';
import { findProjectRoot, loadProject } from '../runtime/project/load-project.js';
import type { Pipeline, Project } from '../runtime/project/model.js';
import { pipelineFileOf } from '../runtime/project/pipeline-files.js';

/** Whether `file` is a pipeline's `pipelines/<name>/metadata.yaml`. */
export function isPipelineMetadata(file: string): boolean {
  return pipelineFileOf(undefined, file)?.kind === 'metadata';
}

/** A project of the workspace as the views show it: the runtime's model, graphs and run history. */
export interface ProjectView {
  project: Project;
  graphs: Map<string, PipelineGraph>;
  runs: RunRecord[];
}

/**
 * The workspace's pipeline projects, reloaded when their files or run history change. The runtime
 * owns what a project means; this only decides when to ask it again.
 */
export class Projects implements vscode.Disposable {
  private views: ProjectView[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher('**/{*.yaml,*.ts,*.sql,*.py,.env,runs.jsonl}');
    const later = () => this.reloadSoon();
    this.disposables.push(watcher, watcher.onDidChange(later), watcher.onDidCreate(later), watcher.onDidDelete(later), vscode.workspace.onDidChangeWorkspaceFolders(later));
  }

  get all(): readonly ProjectView[] {
    return this.views;
  }

  /** Finds the projects of the workspace folders (a project may sit in a subfolder, as Mage's do). */
  async reload(): Promise<void> {
    const roots = new Set<string>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const root = findProjectRoot(folder.uri.fsPath);
      if (root && (existsSync(join(root, 'pipelines')) || existsSync(join(root, 'io_config.yaml')))) roots.add(root);
    }
    if (roots.size === 0) {
      const found = await vscode.workspace.findFiles('**/pipelines/*/metadata.yaml', '**/{node_modules,.pipewright}/**', 200);
      for (const file of found) roots.add(dirname(dirname(dirname(file.fsPath))));
    }
    this.views = [...roots].sort().map((root) => {
      // Block files type-check (and complete) against the block API before anything has run.
      if (vscode.workspace.isTrusted) {
        try {
          ensureBlockTypes(root);
        } catch {
          // a read-only folder: the types come with the first run instead
        }
      }
      const project = loadProject(root);
      const graphs = new Map([...project.pipelines.values()].map((p) => [p.uuid, buildGraph(p)]));
      return { project, graphs, runs: readHistory(root) };
    });
    this.changed.fire();
  }

  /** Reloads once things settle (a save touches several files; a run appends many events). */
  reloadSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), 300);
  }

  /**
   * The project and pipeline whose metadata.yaml is `file` (in a multi-root workspace several projects
   * may have a pipeline of the same name: the file's own project is the one three folders up).
   */
  pipelineOfMetadata(file: string): { view: ProjectView; pipeline: Pipeline } | undefined {
    if (!isPipelineMetadata(file)) return undefined;
    const found = this.pipeline(basename(dirname(file)), dirname(dirname(dirname(file))));
    return found?.pipeline.metadata.path === file ? found : undefined;
  }

  /** The project and pipeline of a pipeline uuid (the first project that has it, or the one asked for). */
  pipeline(uuid: string, root?: string): { view: ProjectView; pipeline: Pipeline } | undefined {
    for (const view of this.views) {
      if (root && view.project.root !== root) continue;
      const pipeline = view.project.pipelines.get(uuid);
      if (pipeline) return { view, pipeline };
    }
    return undefined;
  }

  /** The pipelines and blocks whose code is in `file`. */
  usesOf(file: string): { view: ProjectView; pipeline: string; block: string }[] {
    return this.views.flatMap((view) => (view.project.blockUses.get(file) ?? []).map((use) => ({ view, ...use })));
  }

  /** The latest run of a pipeline in the history, if any. */
  latestRun(view: ProjectView, pipeline: string): RunRecord | undefined {
    return view.runs.filter((r) => r.pipeline === pipeline).at(-1);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
