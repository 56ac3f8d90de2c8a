import { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';

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
