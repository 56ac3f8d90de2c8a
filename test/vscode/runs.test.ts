// Runs from the extension: a block with its upstream in a terminal attached to the runtime, the
// Pipelines view following it, the output preview and the DAG, Ctrl-C in the run's terminal, and the
// dev container offer before a run.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { readHistory } from '../../runtime/history/run-history.js';
import { children, labelOf, nextRun, pipewright, roots, tabLabels, waitFor } from './helpers.js';

const terminalNamed = (name: string) => waitFor(`the terminal "${name}"`, () => vscode.window.terminals.find((t) => t.name === name));

/** The block rows of a pipeline in the Pipelines view, by label. */
async function blockRows(pipeline: string): Promise<Map<string, vscode.TreeItem>> {
  const api = await pipewright();
  const node = (await children(api)).find((p) => labelOf(p.item) === pipeline);
  assert.ok(node, `no pipeline ${pipeline} in the tree`);
  return new Map((await children(api, node.node)).map((row) => [labelOf(row.item), row.item]));
}

describe('runs', () => {
  it('runs a block with its upstream in a terminal, and the tree shows both blocks completed', async () => {
    const api = await pipewright();
    const target = { root: roots()[0], pipeline: 'hello', block: 'count_rows' };
    const finished = nextRun(api, 'hello', (run) => run.finished !== undefined);
    await vscode.commands.executeCommand('pipewright.runBlockWithUpstream', target);
    await terminalNamed('Pipewright: hello/count_rows with upstream');
    const run = await finished;
    assert.equal(run.finished, 'completed');
    assert.deepEqual(Object.fromEntries(run.statuses), { make_rows: 'completed', count_rows: 'completed' });
    const rows = await waitFor('the tree to show the run', async () => {
      const found = await blockRows('hello');
      return String(found.get('count_rows')?.description).includes('completed') && found;
    });
    for (const block of ['make_rows', 'count_rows']) {
      const icon = rows.get(block)!.iconPath as vscode.ThemeIcon;
      assert.equal(icon.color?.id, 'testing.iconPassed', `${block}'s icon colour`);
    }
  });

  it('previews the block’s output and opens the pipeline’s DAG', async () => {
    const target = { root: roots()[0], pipeline: 'hello', block: 'count_rows' };
    await vscode.commands.executeCommand('pipewright.previewOutput', target);
    await waitFor('the preview tab', () => tabLabels().includes('Output: count_rows'));
    await vscode.commands.executeCommand('pipewright.openDag', { root: target.root, pipeline: 'hello' });
    await waitFor('the DAG tab', () => tabLabels().includes('DAG: hello'));
  });

  it('stops a run with Ctrl-C in its terminal: the run ends cancelled and the history says so', async () => {
    const api = await pipewright();
    const root = roots()[0];
    mkdirSync(join(root, 'pipelines/slow'), { recursive: true });
    writeFileSync(
      join(root, 'data_loaders/wait_long.ts'),
      "import { dataLoader } from 'pipewright';\n\nexport default dataLoader(async () => {\n  await new Promise((resolve) => setTimeout(resolve, 120_000));\n  return [{ n: 1 }];\n});\n",
    );
    writeFileSync(
      join(root, 'pipelines/slow/metadata.yaml'),
      'blocks:\n- uuid: wait_long\n  type: data_loader\n  language: typescript\n  upstream_blocks: []\n  downstream_blocks: []\nname: slow\nuuid: slow\n',
    );
    await vscode.commands.executeCommand('pipewright.refresh');
    const running = nextRun(api, 'slow', (run) => run.statuses.get('wait_long') === 'running');
    const finished = nextRun(api, 'slow', (run) => run.finished !== undefined);
    await vscode.commands.executeCommand('pipewright.runPipeline', { root, pipeline: 'slow' });
    const terminal = await terminalNamed('Pipewright: slow');
    await running;
    terminal.sendText('\x03', false);
    const run = await finished;
    assert.equal(run.finished, 'cancelled');
    assert.equal(run.statuses.get('wait_long'), 'cancelled');
    assert.equal(
      readHistory(root)
        .filter((r) => r.pipeline === 'slow')
        .at(-1)?.status,
      'cancelled',
    );
  });

  it('asks to reopen in the dev container only in a local window, and runs here when told to', async () => {
    const api = await pipewright();
    const root = roots()[0];
    mkdirSync(join(root, '.devcontainer'), { recursive: true });
    writeFileSync(join(root, '.devcontainer/devcontainer.json'), '{ "name": "hello", "dockerComposeFile": "../docker-compose.yml", "service": "workspace" }\n');
    const asked: string[] = [];
    const show = vscode.window.showInformationMessage;
    // The offer is a modal dialog: answer it as the user would.
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = (message: string, ...rest: unknown[]) => {
      if (message.includes('dev container')) {
        asked.push(message);
        return Promise.resolve('Run Here');
      }
      return (show as (...args: unknown[]) => Thenable<unknown>)(message, ...rest);
    };
    try {
      for (let i = 0; i < 2; i++) {
        const finished = nextRun(api, 'hello', (run) => run.finished !== undefined);
        await vscode.commands.executeCommand('pipewright.runBlock', { root, pipeline: 'hello', block: 'make_rows' });
        assert.equal((await finished).finished, 'completed');
      }
    } finally {
      (vscode.window as { showInformationMessage: unknown }).showInformationMessage = show;
      rmSync(join(root, '.devcontainer'), { recursive: true, force: true });
    }
    // In a remote window (code-server, a container, SSH) the run is already where it belongs.
    assert.equal(asked.length, vscode.env.remoteName === undefined ? 1 : 0, `remote: ${vscode.env.remoteName}; asked: ${asked.join(' | ')}`);
  });
});
