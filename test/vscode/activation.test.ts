// The extension in a one-folder workspace holding the example project (plus its small `hello`
// pipeline): activation, commands, the Pipelines view's data and the code lenses.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { children, EXTENSION_ID, labelOf, pipewright, roots } from './helpers.js';

describe('activation', () => {
  it('activates on the workspace pipelines and registers every command the manifest contributes', async () => {
    await pipewright();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], 'contributed commands without a handler');
  });

  it('lists the project’s pipelines, and a pipeline’s blocks in run order with type and language', async () => {
    const api = await pipewright();
    const pipelines = await children(api);
    assert.deepEqual(
      pipelines.map((p) => labelOf(p.item)),
      ['api_to_gcs', 'api_to_postgres', 'gcs_to_bigquery', 'hello'],
    );
    const hello = pipelines.find((p) => labelOf(p.item) === 'hello')!;
    assert.equal(hello.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const blocks = await children(api, hello.node);
    assert.deepEqual(
      blocks.map((b) => labelOf(b.item)),
      ['make_rows', 'count_rows'],
    );
    assert.match(String(blocks[0].item.description), /^data_loader · typescript/);
    assert.match(String(blocks[1].item.description), /^transformer · sql/);
    // A click on a block opens its file.
    assert.equal(blocks[0].item.command?.command, 'vscode.open');
    assert.equal((blocks[0].item.command?.arguments?.[0] as vscode.Uri).fsPath, join(roots()[0], 'data_loaders/make_rows.ts'));
  });
});

describe('code lenses', () => {
  const titles = async (relative: string): Promise<string[]> => {
    const uri = vscode.Uri.file(join(roots()[0], relative));
    await vscode.workspace.openTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    return lenses.map((lens) => lens.command?.title ?? '').filter((title) => title !== '');
  };

  it('offers run, run with upstream, preview and the DAG on a block file', async () => {
    await pipewright();
    const lenses = await titles('transformers/count_rows.sql');
    for (const title of ['▶ Run block', 'Run with upstream', 'Preview output', 'Show in DAG'])
      assert.ok(lenses.includes(title), `no "${title}" lens on count_rows.sql: ${lenses.join(', ')}`);
  });

  it('offers run pipeline and the DAG on a pipeline’s metadata.yaml, and nothing on other YAML files', async () => {
    await pipewright();
    const lenses = await titles('pipelines/hello/metadata.yaml');
    assert.ok(lenses.includes('▶ Run pipeline'), lenses.join(', '));
    assert.ok(lenses.includes('Show DAG'), lenses.join(', '));
    assert.deepEqual(
      (await titles('io_config.yaml')).filter((t) => t.startsWith('▶')),
      [],
    );
  });
});
