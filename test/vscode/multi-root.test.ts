// A multi-root workspace of two projects that both have a pipeline named `hello`: each folder's
// project in the view, lenses and runs that go to the right project, diagnostics in either.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { readHistory } from '../../runtime/history/run-history.js';
import { children, labelOf, nextRun, pipewright, roots, waitFor } from './helpers.js';

describe('multi-root workspace', () => {
  it('shows each folder’s project with its own pipelines', async () => {
    const api = await pipewright();
    const projects = await children(api);
    assert.equal(projects.length, 2, projects.map((p) => labelOf(p.item)).join(', '));
    assert.deepEqual(projects.map((p) => p.item.tooltip).sort(), [...roots()].sort());
    for (const project of projects) {
      const pipelines = (await children(api, project.node)).map((p) => labelOf(p.item));
      assert.ok(pipelines.includes('hello'), `${labelOf(project.item)}: ${pipelines.join(', ')}`);
    }
  });

  it('runs the second folder’s pipeline from its own metadata.yaml lens, in that folder', async () => {
    const api = await pipewright();
    const [first, second] = roots();
    const uri = vscode.Uri.file(join(second, 'pipelines/hello/metadata.yaml'));
    await vscode.workspace.openTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const run = lenses.find((lens) => lens.command?.title === '▶ Run pipeline')?.command;
    assert.ok(run, `no "▶ Run pipeline" lens on ${uri.fsPath}: ${lenses.map((l) => l.command?.title).join(', ')}`);
    const finished = nextRun(api, 'hello', (r) => r.finished !== undefined && r.root === second);
    await vscode.commands.executeCommand(run.command, ...(run.arguments ?? []));
    assert.equal((await finished).finished, 'completed');
    assert.deepEqual(
      readHistory(second).map((r) => [r.pipeline, r.status]),
      [['hello', 'completed']],
    );
    assert.deepEqual(readHistory(first), [], 'the first folder ran nothing');
  });

  it('checks the files of either folder', async () => {
    await pipewright();
    const uri = vscode.Uri.file(join(roots()[1], 'pipelines/hello/metadata.yaml'));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, document.positionAt(document.getText().indexOf('downstream_blocks: [count_rows]') + 'downstream_blocks: ['.length), 'nowhere, ');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('a diagnostic naming nowhere', () => vscode.languages.getDiagnostics(uri).some((d) => d.message.includes('nowhere')));
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('the diagnostic to clear', () => !vscode.languages.getDiagnostics(uri).some((d) => d.message.includes('nowhere')));
  });
});
