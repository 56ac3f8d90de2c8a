import * as vscode from 'vscode';
import { isPipelineMetadata, type Projects } from './projects.js';

/**
 * Lenses on block files (`▶ Run block`, `Run with upstream`, `Preview output`, `Show in DAG`, once per
 * pipeline that uses the file) and on a pipeline's metadata.yaml (`▶ Run pipeline`, `Show DAG`).
 */
export class RunLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly projects: Projects) {
    projects.onDidChange(() => this.changed.fire());
    vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    const file = document.uri.fsPath;
    if (isPipelineMetadata(file)) {
      const found = this.projects.pipelineOfMetadata(file);
      if (!found) return [];
      const target = { root: found.view.project.root, pipeline: found.pipeline.uuid };
      // In an untrusted workspace nothing runs: only what reads.
      const trusted = vscode.workspace.isTrusted;
      return [
        ...(trusted ? [new vscode.CodeLens(top, { title: '▶ Run pipeline', command: 'pipewright.runPipeline', arguments: [target] })] : []),
        new vscode.CodeLens(top, { title: 'Show DAG', command: 'pipewright.openDag', arguments: [target] }),
      ];
    }
    const uses = this.projects.usesOf(file);
    return uses.flatMap((use) => {
      const target = { root: use.view.project.root, pipeline: use.pipeline, block: use.block };
      const runs: [string, string][] = vscode.workspace.isTrusted
        ? [
            ['▶ Run block', 'pipewright.runBlock'],
            ['Run with upstream', 'pipewright.runBlockWithUpstream'],
          ]
        : [];
      const lenses: [string, string][] = [...runs, ['Preview output', 'pipewright.previewOutput'], ['Show in DAG', 'pipewright.openDag']];
      // A file several pipelines use gets a row of lenses per pipeline, the first lens naming it.
      return lenses.map(
        ([title, command], index) => new vscode.CodeLens(top, { title: index === 0 && uses.length > 1 ? `${title} (${use.pipeline})` : title, command, arguments: [target] }),
      );
    });
  }
}
