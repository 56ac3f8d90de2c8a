import { basename, dirname, extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ResponseError, SymbolKind, type DocumentSymbol, type Location, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { SourceRange } from '../runtime/problem.js';
import type { ProjectHost } from '../runtime/project/host.js';
import type { Block, Pipeline, Project } from '../runtime/project/model.js';
import { hasPath, nodeRange, valueRange, type YamlFile } from '../runtime/yaml/yaml-file.js';
import { toRange } from './lsp-diagnostic.js';
import { LINK_KEYS } from './pipeline-features.js';

/** Where one block is written in a pipeline's metadata.yaml: its uuid, and every link naming it. */
interface Occurrence {
  pipeline: Pipeline;
  range: SourceRange;
  /** The `uuid:` of the block's own entry, rather than a link to it. */
  declaration: boolean;
}

function occurrencesIn(pipeline: Pipeline, uuid: string): Occurrence[] {
  const found: Occurrence[] = [];
  for (const block of pipeline.blocks) {
    if (block.uuid === uuid && hasPath(pipeline.metadata, [...block.path, 'uuid'])) {
      found.push({ pipeline, range: valueRange(pipeline.metadata, [...block.path, 'uuid']), declaration: true });
    }
    for (const key of LINK_KEYS) {
      const list = block.raw[key];
      if (!Array.isArray(list)) continue;
      list.forEach((item, index) => {
        if (String(item) === uuid) found.push({ pipeline, range: valueRange(pipeline.metadata, [...block.path, key, index]), declaration: false });
      });
    }
  }
  return found;
}

/** The pipelines a block is in: every pipeline sharing its file, or its own when it has none. */
function pipelinesOf(project: Project, pipeline: Pipeline, block: Block): { pipeline: Pipeline; block: Block }[] {
  const uses = block.file ? (project.blockUses.get(block.file) ?? []) : [];
  const all = uses
    .map((use) => {
      const p = project.pipelines.get(use.pipeline);
      const b = p?.blocks.find((x) => x.uuid === use.block);
      return p && b ? { pipeline: p, block: b } : undefined;
    })
    .filter((x) => x !== undefined);
  return all.some((x) => x.pipeline === pipeline) ? all : [{ pipeline, block }, ...all];
}

function location(range: SourceRange): Location {
  return { uri: pathToFileURL(range.file).href, range: toRange(range) };
}

/** Every place a block is named, in all the pipelines that share its file, and the file itself. */
export function blockReferences(project: Project, pipeline: Pipeline, block: Block, includeDeclaration: boolean): Location[] {
  const locations = pipelinesOf(project, pipeline, block)
    .flatMap(({ pipeline: p, block: b }) => occurrencesIn(p, b.uuid))
    .filter((o) => includeDeclaration || !o.declaration)
    .map((o) => location(o.range));
  if (includeDeclaration && block.file && block.fileExists)
    locations.push({ uri: pathToFileURL(block.file).href, range: toRange({ file: block.file, start: { line: 1, col: 1 }, end: { line: 1, col: 1 } }) });
  return locations;
}

/** From a block file: its entries in every metadata.yaml that uses it. */
export function entriesOfBlockFile(project: Project, file: string): Location[] {
  return (project.blockUses.get(file) ?? []).flatMap((use) => {
    const pipeline = project.pipelines.get(use.pipeline);
    const block = pipeline?.blocks.find((b) => b.uuid === use.block);
    return pipeline && block && hasPath(pipeline.metadata, [...block.path, 'uuid']) ? [location(valueRange(pipeline.metadata, [...block.path, 'uuid']))] : [];
  });
}

/** A name a block can take: it becomes a file name, and Mage's uuids are slugs. */
const VALID_UUID = /^[a-z0-9_][a-z0-9_.-]*$/i;

/**
 * Renames a block: its uuid and every link to it in every pipeline sharing its file, its file when
 * the file is named after the uuid, and `{{ uuid }}` in the SQL of the blocks downstream of it.
 * One workspace edit, so one undo.
 */
export function renameBlock(project: Project, pipeline: Pipeline, block: Block, newName: string, host: ProjectHost): WorkspaceEdit {
  if (!VALID_UUID.test(newName)) throw new ResponseError(0, `"${newName}" cannot be a block uuid: use letters, digits, _ . and -`);
  const targets = pipelinesOf(project, pipeline, block);
  for (const { pipeline: p } of targets) {
    if (p.blocks.some((b) => b.uuid === newName)) throw new ResponseError(0, `Pipeline "${p.uuid}" already has a block "${newName}": choose another name`);
  }
  const edits = new Map<string, TextEdit[]>();
  const add = (file: string, range: Range, newText: string) => {
    const uri = pathToFileURL(file).href;
    edits.set(uri, [...(edits.get(uri) ?? []), { range, newText }]);
  };
  for (const { pipeline: p, block: b } of targets) {
    for (const o of occurrencesIn(p, b.uuid)) add(o.range.file, toRange(o.range), newName);
    // SQL downstream blocks may name this one's output by its uuid: {{ old_uuid }}.
    for (const downstream of p.blocks.filter((d) => d.upstream.includes(b.uuid) && d.language === 'sql' && d.file && d.fileExists)) {
      const text = host.readFile(downstream.file!) ?? '';
      const sql = TextDocument.create('', 'sql', 0, text);
      for (const match of text.matchAll(new RegExp(`(\\{\\{\\s*)${b.uuid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s*\\}\\})`, 'g'))) {
        const start = match.index + match[1].length;
        add(downstream.file!, { start: sql.positionAt(start), end: sql.positionAt(start + b.uuid.length) }, newName);
      }
    }
  }
  const documentChanges: NonNullable<WorkspaceEdit['documentChanges']> = [...edits].map(([uri, list]) => ({ textDocument: { uri, version: null }, edits: dedupe(list) }));
  if (block.file && block.fileExists && block.fileVia === 'convention' && basename(block.file, extname(block.file)) === block.uuid) {
    const target = join(dirname(block.file), `${newName}${extname(block.file)}`);
    if (host.exists(target)) throw new ResponseError(0, `${relative(project.root, target)} already exists: the block's file cannot take the new name`);
    documentChanges.push({ kind: 'rename', oldUri: pathToFileURL(block.file).href, newUri: pathToFileURL(target).href });
  }
  return { documentChanges };
}

/** Two pipelines sharing a metadata.yaml never happens, but a block listed twice might: one edit per range. */
function dedupe(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const key = JSON.stringify(e.range);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function symbol(name: string, detail: string | undefined, kind: SymbolKind, range: SourceRange, selection: SourceRange, children?: DocumentSymbol[]): DocumentSymbol {
  return { name, detail, kind, range: toRange(range), selectionRange: toRange(selection), ...(children ? { children } : {}) };
}

const LIST_KINDS: Record<string, SymbolKind> = { blocks: SymbolKind.Function, callbacks: SymbolKind.Event, conditionals: SymbolKind.Boolean, widgets: SymbolKind.Object };

/** The outline of a pipeline's metadata.yaml: its blocks, callbacks and conditionals. */
export function pipelineSymbols(pipeline: Pipeline): DocumentSymbol[] {
  return pipeline.blocks
    .filter((b) => hasPath(pipeline.metadata, b.path))
    .map((b) => {
      const selection = hasPath(pipeline.metadata, [...b.path, 'uuid']) ? valueRange(pipeline.metadata, [...b.path, 'uuid']) : valueRange(pipeline.metadata, b.path);
      return symbol(b.uuid || '(no uuid)', `${b.type} · ${b.language}`, LIST_KINDS[b.list] ?? SymbolKind.Function, valueRange(pipeline.metadata, b.path), selection);
    });
}

/** The outline of a triggers.yaml: one symbol per trigger. */
export function triggerSymbols(pipeline: Pipeline): DocumentSymbol[] {
  const file = pipeline.triggersFile;
  if (!file) return [];
  const triggers: unknown = file.doc.get('triggers', true);
  if (!isSeq(triggers)) return [];
  return triggers.items.flatMap((item, index) => {
    if (!isMap(item)) return [];
    const name = item.get('name');
    const schedule = item.get('schedule_interval');
    const selection = hasPath(file, ['triggers', index, 'name']) ? valueRange(file, ['triggers', index, 'name']) : valueRange(file, ['triggers', index]);
    return [
      symbol(
        String(name ?? `(trigger ${index + 1})`),
        schedule === undefined || schedule === null ? undefined : String(schedule),
        SymbolKind.Event,
        valueRange(file, ['triggers', index]),
        selection,
      ),
    ];
  });
}

/** The outline of io_config.yaml: profiles, with their settings. */
export function ioConfigSymbols(file: YamlFile): DocumentSymbol[] {
  const root = file.doc.contents;
  if (!isMap(root)) return [];
  return root.items.flatMap((pair) => {
    if (!isScalar(pair.key) || !isMap(pair.value)) return [];
    const name = String(pair.key.value);
    const children = pair.value.items.flatMap((setting) =>
      isScalar(setting.key)
        ? [symbol(String(setting.key.value), undefined, SymbolKind.Property, span(file, setting.key, setting.value as Node), nodeRange(file, setting.key))]
        : [],
    );
    return [symbol(name, 'profile', SymbolKind.Namespace, span(file, pair.key, pair.value), nodeRange(file, pair.key), children)];
  });
}

/** From a key to the end of its value. */
function span(file: YamlFile, key: Node, value: Node | null | undefined): SourceRange {
  const start = nodeRange(file, key);
  const end = value ? nodeRange(file, value) : start;
  return { file: file.path, start: start.start, end: end.end };
}
