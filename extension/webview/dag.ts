import { isHostToWebview, type DagBlock, type HostToWebview, type WebviewToHost } from '../../runtime/protocol.js';

// TODO(#7): replace this layered drawing with a real layout library, zoom/pan and run status.
declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void };

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';

/** Layer of each block: one more than its deepest upstream block, so links always point right. */
function layers(blocks: DagBlock[], order: string[]): Map<string, number> {
  const byUuid = new Map(blocks.map((b) => [b.uuid, b]));
  const layer = new Map<string, number>();
  for (const uuid of order) {
    const upstream = byUuid.get(uuid)?.upstream ?? [];
    layer.set(uuid, Math.max(-1, ...upstream.map((u) => layer.get(u) ?? -1)) + 1);
  }
  return layer;
}

function draw(message: HostToWebview): void {
  const root = document.getElementById('dag')!;
  root.replaceChildren();
  const layer = layers(message.blocks, message.order);
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const uuid of message.order) {
    const l = layer.get(uuid)!;
    const row = rows.get(l) ?? 0;
    rows.set(l, row + 1);
    at.set(uuid, { x: 20 + l * 220, y: 20 + row * 70 });
  }
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(60 + Math.max(0, ...layer.values()) * 220 + 180));
  svg.setAttribute('height', String(60 + Math.max(1, ...rows.values()) * 70));
  for (const block of message.blocks) {
    const to = at.get(block.uuid);
    for (const up of block.upstream) {
      const from = at.get(up);
      if (!from || !to) continue;
      const line = document.createElementNS(SVG, 'line');
      line.setAttribute('x1', String(from.x + 180));
      line.setAttribute('y1', String(from.y + 22));
      line.setAttribute('x2', String(to.x));
      line.setAttribute('y2', String(to.y + 22));
      line.setAttribute('class', 'edge');
      svg.append(line);
    }
  }
  for (const block of message.blocks) {
    const p = at.get(block.uuid);
    if (!p) continue;
    const group = document.createElementNS(SVG, 'g');
    group.setAttribute('class', `block ${block.type}`);
    group.setAttribute('tabindex', '0');
    group.setAttribute('role', 'button');
    group.setAttribute('aria-label', `${block.type} ${block.name}`);
    const rect = document.createElementNS(SVG, 'rect');
    Object.entries({ x: p.x, y: p.y, width: 180, height: 44, rx: 6 }).forEach(([k, v]) => rect.setAttribute(k, String(v)));
    const text = document.createElementNS(SVG, 'text');
    text.setAttribute('x', String(p.x + 10));
    text.setAttribute('y', String(p.y + 27));
    text.textContent = block.name;
    group.append(rect, text);
    const open = () => vscode.postMessage({ kind: 'openBlock', uuid: block.uuid });
    group.addEventListener('click', open);
    group.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') open();
    });
    svg.append(group);
  }
  root.append(svg);
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isHostToWebview(event.data)) draw(event.data);
});
vscode.postMessage({ kind: 'ready' });
