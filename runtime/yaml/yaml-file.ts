import { CORE_SCHEMA, load } from 'js-yaml';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { Pos, Problem, SourceRange } from '../problem.js';
import { lineStarts, linePos, readPositions, trimBlank, type PositionNode } from './yaml-positions.js';

/** A path into a YAML document: map keys and list indexes, as in `['blocks', 2, 'upstream_blocks']`. */
export type YamlPath = readonly (string | number)[];

// YAML 1.2's core schema keeps unquoted timestamps as strings, which is how Pipewright wants them;
// duplicate keys are allowed because Mage (PyYAML) keeps the last one, and we only warn.
function parseWithRanges(text: string): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: false });
  return { doc, lines };
}

/**
 * A parsed YAML file that keeps its text, so any value's source range can be found again. The
 * document with ranges is built only when something asks for a range: most files have no problem,
 * and the plain parse is about ten times faster.
 */
export class YamlFile {
  #ranges?: { doc: Document.Parsed; lines: LineCounter };
  #positions?: { root: PositionNode | undefined; lines: number[] };

  constructor(
    readonly path: string,
    readonly text: string,
    /** The file as plain data (Mage's reading: the last of duplicate keys wins); null when empty. */
    readonly value: unknown,
    ranges?: { doc: Document.Parsed; lines: LineCounter },
  ) {
    this.#ranges = ranges;
  }

  /** The document with source ranges. */
  get doc(): Document.Parsed {
    this.#ranges ??= parseWithRanges(this.text);
    return this.#ranges.doc;
  }

  /** Offsets to lines and columns. */
  get lines(): LineCounter {
    this.#ranges ??= parseWithRanges(this.text);
    return this.#ranges.lines;
  }

  /** Where each value is written, read the fast way; root undefined when only the document can say. */
  get positions(): { root: PositionNode | undefined; lines: number[] } {
    this.#positions ??= { root: this.#ranges ? undefined : readPositions(this.text), lines: lineStarts(this.text) };
    return this.#positions;
  }
}

/** Parses YAML text; syntax errors and duplicate keys become problems, never exceptions. */
export function parseYamlFile(path: string, text: string): { file: YamlFile; problems: Problem[] } {
  const encoding = otherEncoding(text);
  if (encoding) {
    const empty = new YamlFile(path, '', null);
    const range = { file: path, start: { line: 1, col: 1 }, end: { line: 1, col: 1 } };
    return {
      file: empty,
      problems: [
        {
          code: 'yaml-syntax',
          severity: 'error',
          message: `The file is saved as ${encoding}, not UTF-8: save it as UTF-8 (VS Code: the encoding in the status bar → Save with Encoding → UTF-8)`,
          range,
        },
      ],
    };
  }
  try {
    // The fast path: js-yaml rejects duplicate keys and every syntax error, so a file it accepts has
    // nothing to report. Anything else goes to the slower parser, which says exactly where and why.
    const value = load(text, { schema: CORE_SCHEMA, filename: path });
    return { file: new YamlFile(path, text, value ?? null), problems: [] };
  } catch {
    // Reported below, precisely.
  }
  const { doc, lines } = parseWithRanges(text);
  const problems: Problem[] = [];
  const errorLines = new Set<number>();
  for (const error of doc.errors) {
    // One broken construct often yields several errors at one place; the first says it best.
    const line = lines.linePos(error.pos[0]).line;
    if (errorLines.has(line)) continue;
    errorLines.add(line);
    // Where a stack overflowed depends on the machine: such an error is shown at the file's start.
    const overflow = /Maximum call stack/.test(error.message);
    problems.push({
      code: 'yaml-syntax',
      severity: 'error',
      message: `Invalid YAML: ${firstLine(error.message)}`,
      range: overflow ? offsetRange(path, lines, 0, 0) : offsetRange(path, lines, error.pos[0], error.pos[1]),
    });
  }
  let value: unknown = null;
  if (doc.errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 1000 }) ?? null;
    } catch (error) {
      problems.push({
        code: 'yaml-syntax',
        severity: 'error',
        message: `Invalid YAML: ${firstLine(String((error as Error).message))}`,
        range: offsetRange(path, lines, 0, 0),
      });
    }
  }
  const file = new YamlFile(path, text, value, { doc, lines });
  collectDuplicateKeys(file, doc.contents, problems);
  return { file, problems };
}

/** UTF-16 read as UTF-8 (its byte order mark, or a NUL in every other byte), which YAML cannot be. */
function otherEncoding(text: string): string | undefined {
  if (text.startsWith('\uFFFD\uFFFD') || text.startsWith('\uFEFF\u0000')) return 'UTF-16';
  const sample = text.slice(0, 200);
  const nuls = sample.split('\u0000').length - 1;
  return nuls > 0 && nuls >= sample.length / 4 ? 'UTF-16' : nuls > 0 ? 'binary data (it holds NUL characters)' : undefined;
}

/** A parser's message in words a user can act on (the yaml library's own words otherwise, first line). */
function firstLine(message: string): string {
  if (/Maximum call stack size exceeded/.test(message)) return 'it nests lists or maps too deeply to read: look for a [ or { that is never closed';
  if (/multiple documents/.test(message))
    return "the file holds more than one YAML document (a line '---'): Mage reads one; remove the '---' and what follows it, or merge the documents";
  const line = message
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim()
    .replace(/\.$/, '');
  return line || 'the file cannot be read as YAML here';
}

/** Converts 0-based character offsets to a 1-based source range. */
export function offsetRange(file: string, lines: LineCounter, start: number, end: number): SourceRange {
  const toPos = (offset: number): Pos => {
    const { line, col } = lines.linePos(offset);
    return { line, col };
  };
  return { file, start: toPos(start), end: toPos(Math.max(start, end)) };
}

function collectDuplicateKeys(file: YamlFile, node: unknown, problems: Problem[]): void {
  if (isSeq(node)) {
    for (const item of node.items) collectDuplicateKeys(file, item, problems);
    return;
  }
  if (!isMap(node)) return;
  const seen = new Map<string, Pair>();
  for (const pair of node.items) {
    const key = keyText(pair);
    const earlier = key === undefined ? undefined : seen.get(key);
    if (earlier && key !== undefined) {
      const keyNode = pair.key as Node;
      problems.push({
        code: 'duplicate-key',
        severity: 'warning',
        message: `Duplicate key "${key}": the value at line ${nodeRange(file, earlier.key as Node).start.line} is ignored, as Mage ignores it; remove one of them`,
        range: nodeRange(file, keyNode),
      });
    }
    if (key !== undefined) seen.set(key, pair);
    collectDuplicateKeys(file, pair.value, problems);
  }
}

function keyText(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** The source range of a node of the file's document. */
export function nodeRange(file: YamlFile, node: Node | null | undefined): SourceRange {
  const range = node?.range;
  if (!range) return offsetRange(file.path, file.lines, 0, 0);
  // A block collection's or block scalar's range runs on past its last line break and trailing
  // comment lines; a range ends where the value's text does, as the fast positions have it.
  return offsetRange(file.path, file.lines, range[0], Math.max(range[0], trimBlank(file.text, range[0], range[1])));
}

// Each map's pairs by key, made once: looking keys up by scanning made every range of a file with
// 10,000 keys cost a scan of them all (validate took 8 s on such an io_config.yaml).
const pairIndexes = new WeakMap<object, Map<string, Pair>>();

/** Finds the pair that holds `key` in a map node; the last one wins, as when reading values. */
function findPair(node: unknown, key: string): Pair | undefined {
  if (!isMap(node)) return undefined;
  let index = pairIndexes.get(node);
  if (!index) {
    index = new Map();
    for (const pair of node.items) {
      const text = keyText(pair);
      if (text !== undefined) index.set(text, pair);
    }
    pairIndexes.set(node, index);
  }
  return index.get(key);
}

/** Walks a path through the document; returns the deepest node reached and whether it is the target. */
function walk(file: YamlFile, path: YamlPath): { node: Node | null; pair?: Pair; complete: boolean } {
  let node = file.doc.contents as Node | null;
  let pair: Pair | undefined;
  for (const step of path) {
    let next: Node | null | undefined;
    if (typeof step === 'number') {
      next = isSeq(node) ? (node.items[step] as Node | undefined) : undefined;
      pair = undefined;
    } else {
      const found = findPair(node, step);
      next = found?.value as Node | null | undefined;
      // A key with no value (`retry_config:`) still has a place worth pointing at: its key.
      if (found && (next === null || next === undefined)) return { node: found.key as Node, pair: found, complete: true };
      pair = found;
    }
    if (!next) return { node, pair: undefined, complete: false };
    node = next;
  }
  return { node, pair, complete: true };
}

/** The same walk over the fast positions: the value reached, the key it is under, and whether it is the target. */
function walkPositions(root: PositionNode, path: YamlPath): { value: PositionNode; key?: PositionNode; complete: boolean } {
  let value = root;
  let key: PositionNode | undefined;
  for (const step of path) {
    const entry = typeof step === 'number' ? undefined : value.entries?.get(step);
    const next = typeof step === 'number' ? value.items?.[step] : entry?.value;
    if (!next) return { value, complete: false };
    key = entry?.key;
    value = next;
  }
  return { value, key, complete: true };
}

/** A range of offsets in the file, as a source range. */
function positionRange(file: YamlFile, lines: number[], node: PositionNode): SourceRange {
  return { file: file.path, start: linePos(lines, node.start), end: linePos(lines, node.end) };
}

/** The range of the value at `path`; when the path does not exist, the range of its deepest existing parent. */
export function valueRange(file: YamlFile, path: YamlPath): SourceRange {
  const { root, lines } = file.positions;
  if (root) return positionRange(file, lines, walkPositions(root, path).value);
  return nodeRange(file, walk(file, path).node);
}

/** The range of the key at the end of `path` (or of the list item), which is where a reader looks for it. */
export function keyRange(file: YamlFile, path: YamlPath): SourceRange {
  const { root, lines } = file.positions;
  if (root) {
    const { value, key, complete } = walkPositions(root, path);
    return positionRange(file, lines, complete && key ? key : value);
  }
  const { node, pair, complete } = walk(file, path);
  if (complete && pair) return nodeRange(file, pair.key as Node);
  return nodeRange(file, node);
}

/** Whether the value at `path` is written in the file (as opposed to defaulted). */
export function hasPath(file: YamlFile, path: YamlPath): boolean {
  const { root } = file.positions;
  return root ? walkPositions(root, path).complete : walk(file, path).complete;
}
