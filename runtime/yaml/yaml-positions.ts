import { CORE_SCHEMA, load } from 'js-yaml';

/**
 * Where each value of a YAML file is written, read with js-yaml's parse events: the `yaml` package
 * gives the same ranges but takes about ten times as long, which an editor feels on every keystroke
 * in a big metadata.yaml. Offsets are 0-based, `end` exclusive.
 */
export interface PositionNode {
  start: number;
  end: number;
  /** A mapping's entries by key; the last of duplicate keys wins, as when reading values. */
  entries?: Map<string, { key: PositionNode; value: PositionNode }>;
  /** A sequence's items. */
  items?: PositionNode[];
}

interface Frame {
  open: number;
  children: PositionNode[];
}

/** Skips spaces, line breaks and comments forwards from `offset`. */
function skipBlank(text: string, offset: number): number {
  let at = offset;
  for (;;) {
    while (at < text.length && /\s/.test(text[at])) at++;
    if (text[at] !== '#') return at;
    while (at < text.length && text[at] !== '\n') at++;
  }
}

/** Trims spaces, line breaks and whole comment lines backwards from `end`, not past `start`. */
export function trimBlank(text: string, start: number, end: number): number {
  // js-yaml reads a text without a final line break as if it had one: positions may pass the end.
  let at = Math.min(end, text.length);
  for (;;) {
    while (at > start && /\s/.test(text[at - 1])) at--;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    if (lineStart <= start || !/^\s*#/.test(text.slice(lineStart, at))) return at;
    at = lineStart;
  }
}

/**
 * The positions of every value of a YAML text, or undefined when the text does not parse or has a
 * shape this reading does not follow (merge keys, complex keys): callers then use the slower parser.
 */
export function readPositions(text: string): PositionNode | undefined {
  const stack: Frame[] = [{ open: 0, children: [] }];
  let consistent = true;
  const listener = (event: string, state: { position: number; kind: string | null; result: unknown }) => {
    if (event === 'open') {
      stack.push({ open: state.position, children: [] });
      return;
    }
    const frame = stack.pop()!;
    const start = skipBlank(text, frame.open);
    const node: PositionNode = { start, end: Math.max(start, trimBlank(text, start, state.position)) };
    if (state.kind === 'mapping') {
      const result = state.result as Record<string, unknown>;
      node.entries = new Map();
      if (frame.children.length % 2 !== 0) consistent = false;
      for (let i = 0; i + 1 < frame.children.length; i += 2) {
        const key = frame.children[i];
        node.entries.set(text.slice(key.start, key.end).replace(/^(['"])(.*)\1$/s, '$2'), { key, value: frame.children[i + 1] });
      }
      // Keys written in quotes with escapes, merge keys or complex keys: not followed here.
      if (Object.keys(result).some((key) => !node.entries!.has(key)) || node.entries.size !== Object.keys(result).length) consistent = false;
    } else if (state.kind === 'sequence') {
      node.items = frame.children;
      if (frame.children.length !== (state.result as unknown[]).length) consistent = false;
    } else if (state.kind === null) {
      // Nothing written (`key:`): the place right after the key, as the document has it.
      node.start = node.end = frame.open;
    }
    stack[stack.length - 1].children.push(node);
  };
  try {
    load(text, { schema: CORE_SCHEMA, listener });
  } catch {
    return undefined;
  }
  const root = stack[0].children[0];
  // An empty document (comments only) is left to the document, which points at its start.
  return consistent && stack.length === 1 && (root?.entries || root?.items) ? root : undefined;
}

/** 1-based line and column of 0-based offsets, from a text's line starts. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The 1-based line and column of an offset. */
export function linePos(starts: number[], offset: number): { line: number; col: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, col: offset - starts[low] + 1 };
}
