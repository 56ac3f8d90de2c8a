import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { isDynamic, reducesOutput } from '../graph/dynamic.js';
import { blockDirectory, LANGUAGE_EXTENSIONS, type BlockLanguage } from '../project/block-kinds.js';
import { diskHost } from '../project/host.js';
import { insideProject } from '../project/block-path.js';
import { createFile, writeFileAtomic } from '../project/write-file.js';
import { ATTACHED_TYPES, blockTemplate, type TemplateType } from './block-templates.js';
import { slugify } from './slug.js';

/** What `pipewright new block` adds. */
export interface NewBlock {
  pipeline: string;
  name: string;
  type: TemplateType;
  language: BlockLanguage;
  /** Upstream blocks; for a conditional or callback, the blocks it is attached to. */
  upstream: string[];
  /** A dynamic block (configuration.dynamic), or a child that reduces its runs' outputs (configuration.reduce_output). */
  dynamic?: boolean;
  reduceOutput?: boolean;
}

/**
 * Adds a block to a pipeline: writes its file from a template (unless a file is already there, which
 * is then shared, as Mage shares block files) and its entry in metadata.yaml, mirroring the link in
 * each upstream block's downstream_blocks. Comments and formatting of metadata.yaml are kept.
 */
export function addBlock(root: string, block: NewBlock): { uuid: string; file: string; created: boolean } {
  const uuid = slugify(block.name);
  if (!uuid) throw new Error(`Cannot make a block uuid from "${block.name}": use letters, digits or underscores`);
  const metadataPath = join(root, 'pipelines', block.pipeline, 'metadata.yaml');
  if (!insideProject(metadataPath, { host: diskHost, folders: { root, repoRoot: root } }))
    throw new Error(`Cannot add a block to pipeline "${block.pipeline}": ${metadataPath} is outside the project`);
  if (!existsSync(metadataPath)) throw new Error(`Cannot find pipeline "${block.pipeline}": ${metadataPath} does not exist`);
  const text = readFileSync(metadataPath, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new Error(`Cannot add a block to ${relative(root, metadataPath)}: it has YAML errors; run "pipewright validate"`);
  }
  if (!isMap(doc.contents)) throw new Error(`Cannot add a block to ${relative(root, metadataPath)}: it is not a map`);
  const attached = ATTACHED_TYPES.includes(block.type);
  if (attached && block.language !== 'typescript') throw new Error(`Pipewright writes ${block.type} blocks in TypeScript: leave out --language`);
  if (attached && block.upstream.length === 0) throw new Error(`A ${block.type} block is attached to blocks: name them with --upstream UUID`);
  const listKey = block.type === 'conditional' ? 'conditionals' : block.type === 'callback' ? 'callbacks' : 'blocks';
  const lists = Object.fromEntries(['blocks', 'conditionals', 'callbacks'].map((key) => [key, doc.get(key, true) as unknown])) as Record<string, unknown>;
  const uuidOf = (entry: YAMLMap) => String((entry.get('uuid') as unknown) ?? entry.get('name'));
  const entriesOf = (key: string) => (isSeq(lists[key]) ? (lists[key].items.filter(isMap) as YAMLMap[]) : []);
  const taken = [...entriesOf('blocks'), ...entriesOf('conditionals'), ...entriesOf('callbacks')];
  if (taken.some((e) => uuidOf(e) === uuid)) throw new Error(`Pipeline "${block.pipeline}" already has a block "${uuid}"`);
  for (const up of block.upstream) {
    const parent = entriesOf('blocks').find((e) => uuidOf(e) === up);
    if (!parent) throw new Error(`Cannot find ${attached ? 'the block to attach to' : 'upstream block'} "${up}" in pipeline "${block.pipeline}"`);
    // A conditional or callback names its blocks in its own upstream_blocks only.
    if (!attached) addToList(doc, parent, 'downstream_blocks', uuid);
  }
  const blocks = isSeq(lists[listKey]) ? lists[listKey] : (doc.createNode([]) as YAMLSeq);
  if (blocks !== lists[listKey]) doc.set(listKey, blocks);
  // Keys in alphabetical order, as Mage's writer sorts them. No `status`: run state is not source.
  const configuration = { ...(block.dynamic ? { dynamic: true } : {}), ...(block.reduceOutput ? { reduce_output: true } : {}) };
  const entry = doc.createNode({
    configuration,
    downstream_blocks: [],
    executor_type: 'local_python',
    language: block.language,
    name: block.name,
    retry_config: null,
    timeout: null,
    type: block.type,
    upstream_blocks: block.upstream,
    uuid,
  }) as YAMLMap;
  blocks.flow = false;
  blocks.add(entry);
  const file = join(root, blockDirectory(block.type)!, `${uuid}.${LANGUAGE_EXTENSIONS[block.language]}`);
  if (!insideProject(file, { host: diskHost, folders: { root, repoRoot: root } }))
    throw new Error(`Cannot create ${file}: it is outside the project (a folder of it is a link out); move the folder into the project`);
  const created = !existsSync(file);
  // A conditional receives the inputs of the block it guards; a callback, that block's output.
  const guarded = entriesOf('blocks').find((e) => uuidOf(e) === block.upstream[0]);
  const inputs = block.type === 'conditional' ? linkList(guarded, 'upstream_blocks') : attached ? [] : block.upstream;
  const firstUp = entriesOf('blocks')
    .find((e) => uuidOf(e) === block.upstream[0])
    ?.toJSON() as { configuration?: Record<string, unknown> } | undefined;
  const perItem = !attached && isDynamic({ configuration: firstUp?.configuration ?? {} });
  const gathered = !attached && reducesOutput({ configuration: firstUp?.configuration ?? {} });
  if (created) createFile(file, blockTemplate(block.type, block.language, { upstream: inputs, dynamic: block.dynamic, perItem, gathered }));
  writeFileAtomic(metadataPath, printInStyle(doc, text));
  return { uuid, file, created };
}

/** The uuids of a block entry's link list. */
function linkList(entry: YAMLMap | undefined, key: 'upstream_blocks' | 'downstream_blocks'): string[] {
  const list: unknown = entry?.get(key, true);
  return isSeq(list) ? list.items.filter(isScalar).map((i) => String(i.value)) : [];
}

/** Adds `uuid` to a block entry's link list (made a block-style list), unless it is there. */
function addToList(doc: Document, entry: YAMLMap, key: 'upstream_blocks' | 'downstream_blocks', uuid: string): void {
  const existing: unknown = entry.get(key, true);
  const list = isSeq(existing) ? existing : (doc.createNode([]) as YAMLSeq);
  if (list !== existing) entry.set(key, list);
  if (!list.items.some((i) => isScalar(i) && String(i.value) === uuid)) list.add(doc.createNode(uuid));
  list.flow = false;
}

/** Prints a metadata.yaml as its text was written: Mage (PyYAML) writes list items flush with their key; a file that indents them keeps that. */
function printInStyle(doc: Document, text: string): string {
  return doc.toString({ indentSeq: /^[a-z_]+:\s*\n {2,}- /m.test(text) });
}

/**
 * The text of a pipeline's metadata.yaml with `uuid` added to block `block`'s `key` list, comments
 * and formatting kept; undefined when the file has YAML errors or no such block.
 */
export function addLinkToText(text: string, block: string, key: 'upstream_blocks' | 'downstream_blocks', uuid: string): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  const blocks: unknown = doc.get('blocks', true);
  if (!isSeq(blocks)) return undefined;
  const entry = (blocks.items.filter(isMap) as YAMLMap[]).find((e) => String((e.get('uuid') as unknown) ?? e.get('name')) === block);
  if (!entry) return undefined;
  addToList(doc, entry, key, uuid);
  return printInStyle(doc, text);
}
