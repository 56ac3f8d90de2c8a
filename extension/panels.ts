import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isWebviewToHost, type PreviewJson } from '../runtime/protocol.js';
import { runCli } from './cli.js';
import { graphMessage, statusMessage } from './dag-model.js';
import type { Projects } from './projects.js';
import type { Runs } from './runs.js';

/** A block or pipeline that a command acts on. */
export interface Target {
  root: string;
  pipeline: string;
  block?: string;
}

function nonce(): string {
  return randomBytes(16).toString('base64');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const DAG_STYLE = `
  body { margin: 0; padding: 0; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
  header { display: flex; gap: 6px; align-items: center; padding: 6px 10px; border-bottom: 1px solid var(--vscode-panel-border); }
  header h1 { font-size: 1.1em; margin: 0 auto 0 0; }
  button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 3px 9px; cursor: pointer; }
  button:focus-visible, g.block:focus { outline: 2px solid var(--vscode-focusBorder); }
  #canvas { width: 100vw; height: 62vh; display: block; cursor: grab; }
  .edge { fill: none; stroke: var(--vscode-editorWidget-border, #888); stroke-width: 1.5; }
  .edge.cycle { stroke: var(--vscode-errorForeground); stroke-dasharray: 4 3; }
  #arrow path { fill: var(--vscode-editorWidget-border, #888); }
  g.block { cursor: pointer; }
  g.block rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, #888); }
  g.block .stripe { stroke: none; }
  g.block .name { fill: var(--vscode-foreground); font-weight: 600; }
  g.block .kind { fill: var(--vscode-descriptionForeground); font-size: 0.85em; }
  .type-data_loader .stripe { fill: var(--vscode-charts-blue); }
  .type-transformer .stripe { fill: var(--vscode-charts-purple); }
  .type-data_exporter .stripe { fill: var(--vscode-charts-yellow); }
  .type-sensor .stripe, .type-custom .stripe { fill: var(--vscode-charts-orange); }
  .type-conditional .stripe { fill: var(--vscode-charts-green); }
  .type-callback .stripe { fill: var(--vscode-charts-red); }
  g.attached rect.frame { stroke-dasharray: 3 2; }
  .edge.attached { stroke-dasharray: 3 3; }
  g.dynamic rect.stack { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, #888); }
  g.block .badge rect { fill: var(--vscode-badge-background); stroke: none; }
  g.block .badge text { fill: var(--vscode-badge-foreground); font-size: 0.8em; }
  g.status-condition_failed rect.frame { stroke: var(--vscode-disabledForeground); stroke-dasharray: 1 3; }
  g.status-running rect.frame { stroke: var(--vscode-charts-blue); stroke-width: 2.5; stroke-dasharray: 6 3; }
  g.status-completed rect.frame { stroke: var(--vscode-testing-iconPassed); stroke-width: 2; }
  g.status-failed rect.frame { stroke: var(--vscode-testing-iconFailed); stroke-width: 2.5; }
  g.status-upstream_failed rect.frame, g.status-cancelled rect.frame { stroke: var(--vscode-testing-iconSkipped); stroke-dasharray: 2 2; }
  #menu { position: fixed; display: flex; flex-direction: column; background: var(--vscode-menu-background); border: 1px solid var(--vscode-menu-border, #888); z-index: 2; }
  #menu button { text-align: left; background: none; color: var(--vscode-menu-foreground); }
  #menu button:hover, #menu button:focus { background: var(--vscode-menu-selectionBackground); color: var(--vscode-menu-selectionForeground); }
  #timeline { padding: 6px 10px; border-top: 1px solid var(--vscode-panel-border); }
  .bar-row { display: grid; grid-template-columns: 220px 1fr 220px; gap: 8px; align-items: center; height: 20px; }
  .bar-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .bar-track { position: relative; height: 10px; background: var(--vscode-editorWidget-background); }
  .bar { position: absolute; top: 0; height: 10px; background: var(--vscode-charts-blue); }
  .bar.status-failed { background: var(--vscode-testing-iconFailed); }
  .bar.status-completed { background: var(--vscode-testing-iconPassed); }
  .bar.status-condition_failed { background: var(--vscode-disabledForeground); }
  .bar-text { color: var(--vscode-descriptionForeground); font-size: 0.85em; }
`;

/** The DAG of one pipeline: a webview panel per pipeline, kept up to date with its files and runs. */
export class DagPanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; target: Target }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly projects: Projects,
    private readonly runs: Runs,
  ) {
    this.disposables.push(
      projects.onDidChange(() => {
        for (const { panel, target } of this.panels.values()) this.sendGraph(panel, target);
      }),
      runs.onDidChange((run) => {
        const open = this.panels.get(`${run.root}:${run.pipeline}`);
        if (open) this.sendStatus(open.panel, open.target);
      }),
    );
  }

  open(target: Target): void {
    const key = `${target.root}:${target.pipeline}`;
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal();
      this.sendStatus(existing.panel, { ...target });
      return;
    }
    const panel = vscode.window.createWebviewPanel('pipewright.dag', `DAG: ${target.pipeline}`, vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview')],
      retainContextWhenHidden: true,
    });
    panel.iconPath = new vscode.ThemeIcon('type-hierarchy-sub');
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', 'dag.js'));
    const once = nonce();
    panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${panel.webview.cspSource}; style-src 'nonce-${once}'; script-src 'nonce-${once}';">
<meta name="viewport" content="width=device-width, initial-scale=1"><style nonce="${once}">${DAG_STYLE}</style></head>
<body><header><h1 id="title">${escapeHtml(target.pipeline)}</h1><button id="zoom-out" aria-label="Zoom out">−</button><button id="zoom-in" aria-label="Zoom in">+</button><button id="fit" title="Fit (F); Shift: the whole graph, however small (Shift+F)">Fit</button></header>
<svg id="canvas" role="group" aria-label="Pipeline graph"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs></svg>
<div id="menu" hidden role="menu"></div><section id="timeline" aria-label="Latest run timeline"></section>
<script nonce="${once}" src="${script.toString()}"></script></body></html>`;
    this.panels.set(key, { panel, target });
    panel.onDidDispose(() => this.panels.delete(key));
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isWebviewToHost(message)) return;
      if (message.kind === 'ready') {
        this.sendGraph(panel, target);
        return;
      }
      // A run of a block per item (`<uuid>:<key>`) previews its own output; other actions are the block's.
      const block = { ...target, block: message.kind === 'preview' ? message.uuid : message.uuid.split(':')[0] };
      const command = { openBlock: 'pipewright.openBlock', runBlock: 'pipewright.runBlock', runFrom: 'pipewright.runFrom', preview: 'pipewright.previewOutput' }[message.kind];
      void vscode.commands.executeCommand(command, block);
    });
  }

  private sendGraph(panel: vscode.WebviewPanel, target: Target): void {
    const found = this.projects.pipeline(target.pipeline, target.root);
    if (!found) return;
    void panel.webview.postMessage(graphMessage(found.pipeline, found.view.graphs.get(target.pipeline)!));
    this.sendStatus(panel, target);
  }

  private sendStatus(panel: vscode.WebviewPanel, target: Target): void {
    const found = this.projects.pipeline(target.pipeline, target.root);
    if (!found) return;
    const latest = this.projects.latestRun(found.view, target.pipeline);
    void panel.webview.postMessage(statusMessage(latest, this.runs.liveRun(target.root, target.pipeline), target.block));
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The first rows of a block's latest output as a table, with column types and the row count. */
export async function showPreview(context: vscode.ExtensionContext, target: Target & { block: string }): Promise<void> {
  const result = await runCli(context, ['preview', target.pipeline, target.block, '--json', '--rows', '100'], target.root);
  if (result.code !== 0) {
    void vscode.window.showWarningMessage(result.stderr.replace(/^error: /, '').trim() || `No output of ${target.block} yet`);
    return;
  }
  const data = JSON.parse(result.stdout) as PreviewJson;
  const panel = vscode.window.createWebviewPanel('pipewright.preview', `Output: ${target.block}`, vscode.ViewColumn.Beside, { enableScripts: false });
  const once = nonce();
  const cell = (value: unknown) => escapeHtml(value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const body =
    'columns' in data
      ? `<table><thead><tr>${data.columns.map((c) => `<th>${escapeHtml(c.name)}<br><span class="type">${escapeHtml(c.type)}</span></th>`).join('')}</tr></thead><tbody>${data.preview
          .map((row) => `<tr>${data.columns.map((c) => `<td>${cell(row[c.name])}</td>`).join('')}</tr>`)
          .join('')}</tbody></table><p class="meta">${data.preview.length} of ${data.rows.toLocaleString()} rows · run ${escapeHtml(data.run)}</p>`
      : `<pre>${cell(data.value)}</pre><p class="meta">run ${escapeHtml(data.run)}</p>`;
  panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${once}';">
<style nonce="${once}">body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); } table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); }
th, td { border: 1px solid var(--vscode-panel-border); padding: 2px 6px; text-align: left; white-space: nowrap; } th { position: sticky; top: 0; background: var(--vscode-editorWidget-background); }
.type, .meta { color: var(--vscode-descriptionForeground); font-weight: normal; font-size: 0.85em; }</style></head>
<body><h2>${escapeHtml(target.pipeline)} / ${escapeHtml(target.block)}</h2>${body}</body></html>`;
}
