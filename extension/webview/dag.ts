// The DAG webview: the pipeline laid out by dagre, blocks coloured by type and live status, zoom
// (wheel, +/-), pan (drag), fit (F or the button), keyboard (Tab through blocks, Enter opens, R runs,
// P previews), and the latest run's timeline below. Colours come from VS Code's theme variables.
import dagre from '@dagrejs/dagre';
import { isHostToWebview, type BlockAction, type DagBlock, type HostToWebview, type TimelineBar, type WebviewToHost } from '../../runtime/protocol.js';

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void };

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const NODE_WIDTH = 190;
const NODE_HEIGHT = 44;

let graph: Extract<HostToWebview, { kind: 'graph' }> | undefined;
let statuses: Record<string, string> = {};
const view = { x: 0, y: 0, scale: 1 };
let bounds = { width: 1, height: 1 };

function element<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

function act(kind: BlockAction, uuid: string): void {
  vscode.postMessage({ kind, uuid });
}

function applyView(): void {
  document.getElementById('layer')?.setAttribute('transform', `translate(${view.x} ${view.y}) scale(${view.scale})`);
}

function fit(): void {
  const svg = document.getElementById('canvas')!;
  const { width, height } = svg.getBoundingClientRect();
  view.scale = Math.min(1.5, Math.max(0.05, Math.min(width / (bounds.width + 40), height / (bounds.height + 40))));
  view.x = (width - bounds.width * view.scale) / 2;
  view.y = (height - bounds.height * view.scale) / 2;
  applyView();
}

function zoom(factor: number, cx?: number, cy?: number): void {
  const svg = document.getElementById('canvas')!.getBoundingClientRect();
  const x = cx ?? svg.width / 2;
  const y = cy ?? svg.height / 2;
  const scale = Math.min(4, Math.max(0.05, view.scale * factor));
  view.x = x - ((x - view.x) * scale) / view.scale;
  view.y = y - ((y - view.y) * scale) / view.scale;
  view.scale = scale;
  applyView();
}

/** Lays the graph out with dagre (left to right) and draws it; large graphs stay one SVG pass. */
function draw(message: Extract<HostToWebview, { kind: 'graph' }>): void {
  const layout = new dagre.graphlib.Graph();
  layout.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: 10, marginy: 10 });
  layout.setDefaultEdgeLabel(() => ({}));
  const known = new Set(message.blocks.map((b) => b.uuid));
  for (const block of message.blocks) layout.setNode(block.uuid, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const block of message.blocks) for (const up of block.upstream) if (known.has(up)) layout.setEdge(up, block.uuid);
  dagre.layout(layout);
  const info = layout.graph();
  bounds = { width: info.width ?? 1, height: info.height ?? 1 };
  const inCycle = new Set(message.cycle ?? []);

  const layer = element('g', { id: 'layer' });
  for (const edge of layout.edges()) {
    const points = layout.edge(edge).points;
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
    layer.append(element('path', { d, class: `edge${inCycle.has(edge.v) && inCycle.has(edge.w) ? ' cycle' : ''}`, 'marker-end': 'url(#arrow)' }));
  }
  for (const block of message.blocks) {
    const at = layout.node(block.uuid);
    const group = element('g', {
      class: `block type-${block.type}`,
      'data-uuid': block.uuid,
      transform: `translate(${at.x - NODE_WIDTH / 2} ${at.y - NODE_HEIGHT / 2})`,
      tabindex: 0,
      role: 'button',
      'aria-label': `${block.uuid}, ${block.type.replace('_', ' ')}, ${block.language}`,
    });
    group.append(element('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }));
    group.append(element('rect', { class: 'stripe', width: 6, height: NODE_HEIGHT, rx: 3 }));
    const name = element('text', { x: 14, y: 19, class: 'name' });
    name.textContent = block.uuid.length > 24 ? `${block.uuid.slice(0, 23)}…` : block.uuid;
    const kind = element('text', { x: 14, y: 35, class: 'kind' });
    kind.textContent = `${block.type} · ${block.language}`;
    const title = element('title', {});
    title.textContent = `${block.uuid}\nEnter: open · R: run · Shift+R: run from here · P: preview`;
    group.append(name, kind, title);
    group.addEventListener('click', () => act('openBlock', block.uuid));
    group.addEventListener('contextmenu', (event) => showMenu(event, block));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') act('openBlock', block.uuid);
      else if (event.key === 'r' || event.key === 'R') act(event.shiftKey ? 'runFrom' : 'runBlock', block.uuid);
      else if (event.key === 'p') act('preview', block.uuid);
      else return;
      event.preventDefault();
    });
    layer.append(group);
  }
  const canvas = document.getElementById('canvas')!;
  canvas.querySelector('#layer')?.remove();
  canvas.append(layer);
  paintStatuses();
  fit();
}

function paintStatuses(): void {
  for (const node of Array.from(document.querySelectorAll<SVGGElement>('g.block'))) {
    const status = statuses[node.dataset.uuid ?? ''];
    node.setAttribute('class', node.getAttribute('class')!.replace(/ status-\S+/g, '') + (status ? ` status-${status}` : ''));
    node.setAttribute('data-status', status ?? '');
  }
}

function showMenu(event: MouseEvent, block: DagBlock): void {
  event.preventDefault();
  const menu = document.getElementById('menu')!;
  menu.replaceChildren();
  const items: [BlockAction, string][] = [
    ['openBlock', 'Open file'],
    ['runBlock', 'Run block'],
    ['runFrom', 'Run from here'],
    ['preview', 'Preview output'],
  ];
  for (const [kind, label] of items) {
    const button = document.createElement('button');
    button.textContent = label;
    button.addEventListener('click', () => {
      menu.hidden = true;
      act(kind, block.uuid);
    });
    menu.append(button);
  }
  menu.style.left = `${event.clientX}px`;
  menu.style.top = `${event.clientY}px`;
  menu.hidden = false;
  (menu.firstElementChild as HTMLButtonElement).focus();
}

/** One bar per block of the latest run: start, duration, rows, status. */
function drawTimeline(bars: TimelineBar[]): void {
  const root = document.getElementById('timeline')!;
  root.replaceChildren();
  if (bars.length === 0) {
    root.textContent = 'No run yet: run the pipeline to see where the time goes.';
    return;
  }
  const end = Math.max(1, ...bars.map((b) => b.startMs + b.durationMs));
  for (const bar of [...bars].sort((a, b) => a.startMs - b.startMs)) {
    const row = document.createElement('div');
    row.className = 'bar-row';
    const label = document.createElement('span');
    label.className = 'bar-label';
    label.textContent = bar.block;
    const track = document.createElement('span');
    track.className = 'bar-track';
    const fill = document.createElement('span');
    fill.className = `bar status-${bar.status}`;
    fill.style.left = `${(bar.startMs / end) * 100}%`;
    fill.style.width = `${Math.max(0.5, (bar.durationMs / end) * 100)}%`;
    track.append(fill);
    const text = document.createElement('span');
    text.className = 'bar-text';
    text.textContent = `${(bar.durationMs / 1000).toFixed(1)} s${bar.rows !== undefined ? ` · ${bar.rows.toLocaleString()} rows` : ''} · ${bar.status}`;
    row.append(label, track, text);
    root.append(row);
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (!isHostToWebview(event.data)) return;
  if (event.data.kind === 'graph') {
    graph = event.data;
    document.getElementById('title')!.textContent = graph.pipeline;
    draw(graph);
  } else {
    statuses = event.data.statuses;
    paintStatuses();
    drawTimeline(event.data.timeline);
    if (event.data.focus) document.querySelector<SVGGElement>(`g.block[data-uuid="${CSS.escape(event.data.focus)}"]`)?.focus();
  }
});

const canvas = document.getElementById('canvas')!;
let drag: { x: number; y: number } | undefined;
canvas.addEventListener('wheel', (event) => {
  event.preventDefault();
  zoom(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.offsetX, event.offsetY);
});
canvas.addEventListener('mousedown', (event) => {
  if ((event.target as Element).closest('g.block')) return;
  drag = { x: event.clientX - view.x, y: event.clientY - view.y };
});
window.addEventListener('mousemove', (event) => {
  if (!drag) return;
  view.x = event.clientX - drag.x;
  view.y = event.clientY - drag.y;
  applyView();
});
window.addEventListener('mouseup', () => (drag = undefined));
window.addEventListener('click', (event) => {
  if (!(event.target as Element).closest('#menu')) document.getElementById('menu')!.hidden = true;
});
window.addEventListener('keydown', (event) => {
  if ((event.target as Element).closest?.('g.block') && !['+', '-', 'f', 'F', 'Escape'].includes(event.key)) return;
  if (event.key === '+' || event.key === '=') zoom(1.2);
  else if (event.key === '-') zoom(1 / 1.2);
  else if (event.key === 'f' || event.key === 'F') fit();
  else if (event.key === 'Escape') document.getElementById('menu')!.hidden = true;
});
window.addEventListener('resize', () => graph && fit());
document.getElementById('fit')!.addEventListener('click', fit);
document.getElementById('zoom-in')!.addEventListener('click', () => zoom(1.2));
document.getElementById('zoom-out')!.addEventListener('click', () => zoom(1 / 1.2));
vscode.postMessage({ kind: 'ready' });
