// The DAG webview: the pipeline laid out by dagre, blocks coloured by type and live status, zoom
// (wheel, +/-), pan (drag), fit (F or the button; with Shift the whole of a big graph), keyboard
// (Tab through blocks, Enter opens, R runs, P previews, E shows a block's runs per item), and the
// latest run's timeline below. Dynamic blocks are stacks, blocks run per item carry their count of
// runs, conditionals and callbacks hang off the blocks they are attached to by dashed links. Colours
// come from VS Code's theme variables.
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
/** Where the pipeline's first block was laid out (its centre). */
let first: { x: number; y: number } | undefined;

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

/** Below this scale block names cannot be read. */
const READABLE_SCALE = 0.4;

/**
 * Fits the graph to the view. A graph too big to show whole at a readable size opens at that size on
 * its first block instead (a 500-block pipeline would shrink to dots); `all` shows the whole of it.
 */
function fit(options: { all?: boolean } = {}): void {
  const svg = document.getElementById('canvas')!;
  const { width, height } = svg.getBoundingClientRect();
  const whole = Math.min(width / (bounds.width + 40), height / (bounds.height + 40));
  if (options.all || whole >= READABLE_SCALE || !first) {
    view.scale = Math.min(1.5, Math.max(0.05, whole));
    view.x = (width - bounds.width * view.scale) / 2;
    view.y = (height - bounds.height * view.scale) / 2;
  } else {
    view.scale = READABLE_SCALE;
    view.x = 20 - (first.x - NODE_WIDTH / 2) * view.scale;
    view.y = Math.min(20, height / 2 - first.y * view.scale);
  }
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

/** Blocks that run once per item and are shown as one node per run, not one node with a count. */
const expanded = new Set<string>();

/** The runs of a block per item in the latest statuses (`<uuid>:<key>`), in the order they came. */
function runsOf(uuid: string): string[] {
  return Object.keys(statuses).filter((name) => name.startsWith(`${uuid}:`));
}

function toggle(uuid: string): void {
  if (expanded.has(uuid)) expanded.delete(uuid);
  else if (runsOf(uuid).length > 0) expanded.add(uuid);
  if (graph) draw(graph, { fit: false });
  document.querySelector<SVGGElement>(`g.block[data-uuid="${CSS.escape(expanded.has(uuid) ? runsOf(uuid)[0] : uuid)}"]`)?.focus();
}

/** What a node stands for: a block, a run of it for one item, or a conditional or callback attached to blocks. */
interface DagNode {
  id: string;
  block: DagBlock;
  run?: string;
}

/** Lays the graph out with dagre (left to right) and draws it; large graphs stay one SVG pass. */
function draw(message: Extract<HostToWebview, { kind: 'graph' }>, options: { fit: boolean } = { fit: true }): void {
  const layout = new dagre.graphlib.Graph();
  layout.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: 10, marginy: 10 });
  layout.setDefaultEdgeLabel(() => ({}));
  const byUuid = new Map(message.blocks.map((b) => [b.uuid, b]));
  for (const uuid of expanded) if (!byUuid.get(uuid)?.perItemOf || runsOf(uuid).length === 0) expanded.delete(uuid);
  const idsOf = (uuid: string) => (expanded.has(uuid) ? runsOf(uuid) : [uuid]);
  const nodes: DagNode[] = message.blocks.flatMap((block) => (expanded.has(block.uuid) ? runsOf(block.uuid).map((run) => ({ id: run, block, run })) : [{ id: block.uuid, block }]));
  for (const node of nodes) layout.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const attachedEdges = new Set<string>();
  const link = (from: string, to: string, attached = false) => {
    if (!layout.hasNode(from) || !layout.hasNode(to)) return;
    layout.setEdge(from, to);
    if (attached) attachedEdges.add(`${from}\u0000${to}`);
  };
  for (const block of message.blocks) {
    for (const up of block.upstream) {
      const upstream = byUuid.get(up);
      if (!upstream) continue;
      // A run per item follows the same item's run upstream, when both are shown run by run.
      const paired = expanded.has(up) && expanded.has(block.uuid) && upstream.perItemOf === block.perItemOf && !upstream.reduces;
      if (paired) for (const run of runsOf(block.uuid)) link(`${up}${run.slice(block.uuid.length)}`, run);
      else for (const from of idsOf(up)) for (const to of idsOf(block.uuid)) link(from, to);
    }
    for (const target of block.attachedTo ?? []) {
      for (const id of idsOf(target)) {
        if (block.type === 'callback') link(id, block.uuid, true);
        else link(block.uuid, id, true);
      }
    }
  }
  dagre.layout(layout);
  const info = layout.graph();
  bounds = { width: info.width ?? 1, height: info.height ?? 1 };
  first = nodes.length > 0 ? layout.node(nodes[0].id) : undefined;
  const inCycle = new Set(message.cycle ?? []);

  const layer = element('g', { id: 'layer' });
  for (const edge of layout.edges()) {
    const points = layout.edge(edge).points;
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
    const kind = attachedEdges.has(`${edge.v}\u0000${edge.w}`) ? ' attached' : inCycle.has(edge.v) && inCycle.has(edge.w) ? ' cycle' : '';
    layer.append(element('path', { d, class: `edge${kind}`, 'marker-end': 'url(#arrow)' }));
  }
  for (const node of nodes) layer.append(drawNode(node, layout.node(node.id)));
  const canvas = document.getElementById('canvas')!;
  canvas.querySelector('#layer')?.remove();
  canvas.append(layer);
  paintStatuses();
  if (options.fit) fit();
  else applyView();
}

function describe(block: DagBlock, run?: string): string {
  if (run) return `run of ${block.uuid} for one item`;
  if (block.attachedTo) return `${block.type} on ${block.attachedTo.join(', ') || 'nothing'}`;
  const shape = block.dynamic ? ' · dynamic' : block.perItemOf ? ` · per item${block.reduces ? ' · reduces' : ''}` : '';
  return `${block.type}${shape} · ${block.language}`;
}

function drawNode(node: DagNode, at: { x: number; y: number }): SVGGElement {
  const { block, run, id } = node;
  const classes = ['block', `type-${block.type}`, block.dynamic ? 'dynamic' : '', block.attachedTo ? 'attached' : '', run ? 'run' : ''].filter(Boolean).join(' ');
  const group = element('g', {
    class: classes,
    'data-uuid': id,
    transform: `translate(${at.x - NODE_WIDTH / 2} ${at.y - NODE_HEIGHT / 2})`,
    tabindex: 0,
    role: 'button',
    'aria-label': `${id}, ${describe(block, run)}`,
  });
  // A dynamic block is drawn as a stack: it makes many runs downstream.
  if (block.dynamic) group.append(element('rect', { class: 'stack', x: 5, y: 5, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }));
  group.append(element('rect', { class: 'frame', width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }));
  group.append(element('rect', { class: 'stripe', width: 6, height: NODE_HEIGHT, rx: 3 }));
  const label = run ?? id;
  const name = element('text', { x: 14, y: 19, class: 'name' });
  name.textContent = label.length > 24 ? `${label.slice(0, 23)}…` : label;
  const kind = element('text', { x: 14, y: 35, class: 'kind' });
  kind.textContent = describe(block, run);
  const title = element('title', {});
  const expandable = Boolean(block.perItemOf);
  title.textContent = `${id}\n${run ? 'Enter: preview this run · E: show as one node' : `Enter: open · R: run · Shift+R: run from here · P: preview${expandable ? ' · E: show each run' : ''}`}`;
  group.append(name, kind, title);
  if (expandable) {
    // The count of runs; a click shows each run as a node of its own (and back).
    const count = runsOf(block.uuid).length;
    const badge = element('g', { class: 'badge', transform: `translate(${NODE_WIDTH - 40} 4)` });
    badge.append(element('rect', { width: 36, height: 16, rx: 8 }));
    const text = element('text', { x: 18, y: 12, 'text-anchor': 'middle' });
    text.textContent = run ? '−' : count > 0 ? `×${count}` : '×?';
    const hint = element('title', {});
    hint.textContent = run ? 'Show as one node' : count > 0 ? `${count} runs, one per item: click to show each` : 'Runs once per item of a dynamic block';
    badge.append(text, hint);
    badge.addEventListener('click', (event) => {
      event.stopPropagation();
      toggle(block.uuid);
    });
    group.append(badge);
  }
  const open = () => (run ? act('preview', run) : act('openBlock', block.uuid));
  group.addEventListener('click', open);
  if (!block.attachedTo) group.addEventListener('contextmenu', (event) => showMenu(event, run ?? block.uuid));
  group.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') open();
    else if ((event.key === 'e' || event.key === 'E') && expandable) toggle(block.uuid);
    else if ((event.key === 'r' || event.key === 'R') && !block.attachedTo) act(event.shiftKey ? 'runFrom' : 'runBlock', block.uuid);
    else if (event.key === 'p' && !block.attachedTo) act('preview', run ?? block.uuid);
    else return;
    event.preventDefault();
  });
  return group;
}

function paintStatuses(): void {
  for (const node of Array.from(document.querySelectorAll<SVGGElement>('g.block'))) {
    const status = statuses[node.dataset.uuid ?? ''];
    node.setAttribute('class', node.getAttribute('class')!.replace(/ status-\S+/g, '') + (status ? ` status-${status}` : ''));
    node.setAttribute('data-status', status ?? '');
  }
}

function showMenu(event: MouseEvent, uuid: string): void {
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
      act(kind, uuid);
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
    const before = graph
      ? graph.blocks
          .filter((b) => b.perItemOf)
          .map((b) => runsOf(b.uuid).length)
          .join()
      : '';
    statuses = event.data.statuses;
    // New runs per item change the counts (and the nodes of blocks shown run by run).
    if (
      graph &&
      graph.blocks
        .filter((b) => b.perItemOf)
        .map((b) => runsOf(b.uuid).length)
        .join() !== before
    )
      draw(graph, { fit: false });
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
  else if (event.key === 'f' || event.key === 'F') fit({ all: event.shiftKey });
  else if (event.key === 'Escape') document.getElementById('menu')!.hidden = true;
});
window.addEventListener('resize', () => graph && fit());
document.getElementById('fit')!.addEventListener('click', (event) => fit({ all: event.shiftKey }));
document.getElementById('zoom-in')!.addEventListener('click', () => zoom(1.2));
document.getElementById('zoom-out')!.addEventListener('click', () => zoom(1 / 1.2));
vscode.postMessage({ kind: 'ready' });
