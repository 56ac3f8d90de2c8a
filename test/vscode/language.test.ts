// The language server through VS Code's own client: diagnostics as a metadata.yaml is edited (not
// saved), hover, completion, go to definition and rename, asked the way the editor asks them.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { pipewright, roots, waitFor } from './helpers.js';

const metadata = (): vscode.Uri => vscode.Uri.file(join(roots()[0], 'pipelines/hello/metadata.yaml'));

/** The position of the `n`th occurrence of `text` in a document. */
function positionOf(document: vscode.TextDocument, text: string, n = 1): vscode.Position {
  let offset = -1;
  for (let i = 0; i < n; i++) offset = document.getText().indexOf(text, offset + 1);
  assert.ok(offset >= 0, `"${text}" is not in ${document.uri.fsPath}`);
  return document.positionAt(offset);
}

describe('language server', () => {
  afterEach(async () => {
    // Leave the file as it was on disk for the tests that follow, whatever happened.
    const document = await vscode.workspace.openTextDocument(metadata());
    if (document.isDirty) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  it('warns of an unknown upstream block as it is typed (Mage drops such links), and clears it when the edit is undone', async () => {
    await pipewright();
    const document = await vscode.workspace.openTextDocument(metadata());
    await vscode.window.showTextDocument(document);
    const at = positionOf(document, 'upstream_blocks: [make_rows]');
    const name = new vscode.Range(at.translate(0, 'upstream_blocks: ['.length), at.translate(0, 'upstream_blocks: [make_rows'.length));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, name, 'make_rowz');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const reported = await waitFor('a diagnostic naming make_rowz', () => vscode.languages.getDiagnostics(document.uri).find((d) => d.message.includes('make_rowz'))).catch(
      (error: Error) => {
        throw new Error(
          `${error.message}; the diagnostics: ${JSON.stringify(vscode.languages.getDiagnostics().map(([uri, list]) => [uri.toString(), list.map((d) => d.message)]))}`,
        );
      },
    );
    assert.equal(reported.range.start.line, at.line, 'the diagnostic is on the edited line');
    assert.equal(reported.source, 'pipewright');
    assert.equal(reported.severity, vscode.DiagnosticSeverity.Warning);
    const undo = new vscode.WorkspaceEdit();
    undo.replace(document.uri, name, 'make_rows');
    assert.ok(await vscode.workspace.applyEdit(undo));
    await waitFor('the diagnostics to clear', () => vscode.languages.getDiagnostics(document.uri).length === 0);
  });

  it('hovers a block with its type and file', async () => {
    const document = await vscode.workspace.openTextDocument(metadata());
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, positionOf(document, 'uuid: make_rows').translate(0, 8));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /data_loader/);
    assert.match(text, /make_rows\.ts/);
  });

  it('completes the pipeline’s block uuids in upstream_blocks', async () => {
    const document = await vscode.workspace.openTextDocument(metadata());
    const inside = positionOf(document, 'upstream_blocks: [make_rows]').translate(0, 'upstream_blocks: ['.length);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, inside);
    const labels = list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
    assert.ok(labels.includes('make_rows'), labels.join(', '));
  });

  it('goes from an upstream name to the block’s file', async () => {
    const document = await vscode.workspace.openTextDocument(metadata());
    const inside = positionOf(document, 'upstream_blocks: [make_rows]').translate(0, 'upstream_blocks: [m'.length);
    const found = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', document.uri, inside);
    const targets = found.map((f) => ('targetUri' in f ? f.targetUri : f.uri).fsPath);
    assert.deepEqual(targets, [join(roots()[0], 'data_loaders/make_rows.ts')]);
  });

  it('renames a block: its uuid and every reference, in one workspace edit', async () => {
    const document = await vscode.workspace.openTextDocument(metadata());
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>(
      'vscode.executeDocumentRenameProvider',
      document.uri,
      positionOf(document, 'uuid: make_rows').translate(0, 7),
      'make_numbers',
    );
    const replaced = edit.entries().flatMap(([uri, edits]) => edits.filter((e) => e.newText.includes('make_numbers')).map(() => uri.fsPath));
    assert.equal(replaced.filter((file) => file === document.uri.fsPath).length, 2, `its uuid and the downstream's upstream entry: ${replaced.join(', ')}`);
    // The edit is only computed here, not applied: the workspace keeps its file.
    assert.equal(document.isDirty, false);
  });
});
