import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { readPositions, type PositionNode } from '../runtime/yaml/yaml-positions.js';

/** Where a cursor is in a YAML document: the path of the value (or key) under it. */
export interface YamlCursor {
  /** Map keys and list indexes from the root to the innermost node at the cursor. */
  path: (string | number)[];
  /** Whether the cursor is on a map key (or where a key would be typed). */
  onKey: boolean;
  /** The scalar under the cursor, if any. */
  scalar?: { value: unknown; start: number; end: number };
}

function contains(node: Node | null | undefined, offset: number): boolean {
  return !!node?.range && node.range[0] <= offset && offset <= node.range[1];
}

/** Finds what the cursor at `offset` points at; a cursor on an empty line of a map is "on a key". */
export function cursorAt(doc: Document.Parsed, offset: number): YamlCursor {
  const path: (string | number)[] = [];
  let node = doc.contents as Node | null;
  for (;;) {
    if (isMap(node)) {
      const pair = (node.items as Pair[]).find((p) => contains(p.key as Node, offset) || contains(p.value as Node, offset));
      if (!pair) return { path, onKey: true };
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (contains(pair.key as Node, offset)) {
        const k = pair.key as Node;
        return { path: [...path, key], onKey: true, scalar: { value: key, start: k.range![0], end: k.range![1] } };
      }
      path.push(key);
      node = pair.value as Node;
      continue;
    }
    if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(item as Node, offset));
      if (index < 0) return { path, onKey: false };
      path.push(index);
      node = node.items[index] as Node;
      continue;
    }
    if (isScalar(node) && node.range) return { path, onKey: false, scalar: { value: node.value, start: node.range[0], end: node.range[1] } };
    return { path, onKey: isPair(node) };
  }
}

/** Past this size a document is read with the fast positions: a full parse of a 100,000-trigger file took 9 s per hover. */
const LARGE_TEXT = 256 * 1024;

// The last text parsed and its document: hovers and completions at several places of an unchanged
// document parse it once.
let lastParsed: { text: string; doc: Document.Parsed } | undefined;

/** What the cursor at `offset` of a YAML text points at (see cursorAt). */
export function cursorInText(text: string, offset: number): YamlCursor {
  if (text.length > LARGE_TEXT) {
    const root = readPositions(text);
    if (root) return cursorAtPositions(text, { root, offset });
  }
  if (lastParsed?.text !== text) lastParsed = { text, doc: parseDocument(text) };
  return cursorAt(lastParsed.doc, offset);
}

function within(node: PositionNode | undefined, offset: number): boolean {
  return !!node && node.start <= offset && offset <= node.end;
}

/** A scalar's value from its text: quotes taken off; numbers and the like stay text (only keys and paths are read). */
function scalarText(text: string, node: PositionNode): string {
  const raw = text.slice(node.start, node.end);
  return /^(['"]).*\1$/s.test(raw) ? raw.slice(1, -1) : raw;
}

/** cursorAt over the fast positions of a large document. */
export function cursorAtPositions(text: string, options: { root: PositionNode; offset: number }): YamlCursor {
  const { root, offset } = options;
  const path: (string | number)[] = [];
  let node: PositionNode | undefined = root;
  for (;;) {
    if (node?.entries) {
      const entries: [string, { key: PositionNode; value: PositionNode }][] = [...node.entries];
      const entry = entries.find(([, e]) => within(e.key, offset) || within(e.value, offset));
      if (!entry) return { path, onKey: true };
      const [key, { key: keyNode, value }] = entry;
      if (within(keyNode, offset)) return { path: [...path, key], onKey: true, scalar: { value: key, start: keyNode.start, end: keyNode.end } };
      path.push(key);
      node = value;
      continue;
    }
    if (node?.items) {
      const index = node.items.findIndex((item) => within(item, offset));
      if (index < 0) return { path, onKey: false };
      path.push(index);
      node = node.items[index];
      continue;
    }
    if (node && node.start < node.end) return { path, onKey: false, scalar: { value: scalarText(text, node), start: node.start, end: node.end } };
    return { path, onKey: false };
  }
}
