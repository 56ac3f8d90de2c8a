import { join } from 'node:path';
import * as vscode from 'vscode';
import { isDynamic } from '../runtime/graph/dynamic.js';
import type { NewBlockJson } from '../runtime/protocol.js';
import { slugify } from '../runtime/scaffold/slug.js';
import { runCli } from './cli.js';
import type { Target } from './panels.js';
import type { Projects } from './projects.js';

interface Kind extends vscode.QuickPickItem {
  type: string;
  dynamic?: boolean;
  /** Attached to blocks rather than downstream of them. */
  attached?: boolean;
  sql?: boolean;
}

const KINDS: Kind[] = [
  { label: '$(cloud-download) Data loader', type: 'data_loader', description: 'loads data', sql: true },
  { label: '$(list-tree) Dynamic data loader', type: 'data_loader', dynamic: true, description: 'returns a list: the blocks after it run once per item' },
  { label: '$(symbol-function) Transformer', type: 'transformer', description: 'transforms its upstream outputs', sql: true },
  { label: '$(cloud-upload) Data exporter', type: 'data_exporter', description: 'writes its upstream outputs somewhere', sql: true },
  { label: '$(watch) Sensor', type: 'sensor', description: 'waits until a check returns true' },
  { label: '$(filter) Conditional', type: 'conditional', attached: true, description: 'skips the blocks it is attached to when false' },
  { label: '$(bell) Callback', type: 'callback', attached: true, description: 'runs after the blocks it is attached to' },
  { label: '$(code) Custom', type: 'custom', description: 'anything' },
];

/**
 * Adds a block to a pipeline from its template, through `pipewright new block`: kind, language, name,
 * upstream blocks (or, for a conditional or callback, the blocks it attaches to), then opens its file.
 * Invoked on a block of the tree, that block is offered as the upstream.
 */
export async function addBlock(context: vscode.ExtensionContext, projects: Projects, target: Target): Promise<void> {
  const found = projects.pipeline(target.pipeline, target.root);
  if (!found) return;
  const graph = found.view.graphs.get(target.pipeline)!;
  const kind = await vscode.window.showQuickPick(KINDS, { placeHolder: `Add which kind of block to ${target.pipeline}?` });
  if (!kind) return;
  let language = 'typescript';
  // Conditionals and callbacks are written in TypeScript; Python blocks take Mage's shape.
  if (!kind.attached) {
    const picked = await vscode.window.showQuickPick(kind.sql ? ['typescript', 'sql', 'python'] : ['typescript', 'python'], { placeHolder: 'Language' });
    if (!picked) return;
    language = picked;
  }
  const taken = new Set(found.pipeline.blocks.map((b) => b.uuid));
  const name = await vscode.window.showInputBox({
    prompt: `Name of the new ${kind.type.replace('_', ' ')}`,
    validateInput: (value) => {
      const uuid = slugify(value);
      if (!uuid) return 'Use letters, digits or underscores';
      return taken.has(uuid) ? `${target.pipeline} already has a block "${uuid}"` : undefined;
    },
  });
  if (!name) return;
  const choices = graph.order.map((uuid) => ({ label: uuid, description: graph.blocks.get(uuid)!.type, picked: uuid === target.block }));
  const upstream =
    choices.length === 0
      ? []
      : await vscode.window.showQuickPick(choices, { canPickMany: true, placeHolder: kind.attached ? 'Attach it to which blocks?' : 'Upstream blocks (none for a first block)' });
  if (!upstream) return;
  if (kind.attached && upstream.length === 0) {
    void vscode.window.showWarningMessage(`A ${kind.type} is attached to blocks: pick at least one`);
    return;
  }
  const args = ['new', 'block', target.pipeline, name, '--json', '--type', kind.type, '--language', language, ...upstream.flatMap((u) => ['--upstream', u.label])];
  if (kind.dynamic) args.push('--dynamic');
  if (!kind.attached && upstream.some((u) => isDynamic(graph.blocks.get(u.label)!))) {
    const reduce = await vscode.window.showQuickPick(['Run once per item', 'Run once per item, then gather the outputs into one list (reduce_output)'], {
      placeHolder: 'It follows a dynamic block',
    });
    if (!reduce) return;
    if (reduce.includes('reduce_output')) args.push('--reduce-output');
  }
  const result = await runCli(context, args, target.root);
  if (result.code !== 0) {
    void vscode.window.showErrorMessage(result.stderr.replace(/^error: /, '').trim() || `Cannot add the block (exit ${result.code})`);
    return;
  }
  const added = JSON.parse(result.stdout) as NewBlockJson;
  await projects.reload();
  await vscode.window.showTextDocument(vscode.Uri.file(join(target.root, added.file)), { preview: false });
}
