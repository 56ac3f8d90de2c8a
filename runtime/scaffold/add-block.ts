import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { blockDirectory, LANGUAGE_EXTENSIONS, type BlockLanguage } from '../project/block-kinds.js';
import { createFile, writeFileAtomic } from '../project/write-file.js';
import { blockTemplate, type TemplateType } from './block-templates.js';
import { slugify } from './slug.js';

/** What `pipewright new block` adds. */
export interface NewBlock {
  pipeline: string;
  name: string;
  type: TemplateType;
  language: BlockLanguage;
  upstream: string[];
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
  if (!existsSync(metadataPath)) throw new Error(`Cannot find pipeline "${block.pipeline}": ${metadataPath} does not exist`);
  const text = readFileSync(metadataPath, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new Error(`Cannot add a block to ${relative(root, metadataPath)}: it has YAML errors; run "pipewright validate"`);
  }
  if (!isMap(doc.contents)) throw new Error(`Cannot add a block to ${relative(root, metadataPath)}: it is not a map`);
  const found: unknown = doc.get('blocks', true);
  const blocks = isSeq(found) ? found : (doc.createNode([]) as YAMLSeq);
  if (blocks !== found) doc.set('blocks', blocks);
  const entries = blocks.items.filter(isMap) as YAMLMap[];
  const uuidOf = (entry: YAMLMap) => String((entry.get('uuid') as unknown) ?? entry.get('name'));
  if (entries.some((e) => uuidOf(e) === uuid)) throw new Error(`Pipeline "${block.pipeline}" already has a block "${uuid}"`);
  for (const up of block.upstream) {
    const parent = entries.find((e) => uuidOf(e) === up);
    if (!parent) throw new Error(`Cannot find upstream block "${up}" in pipeline "${block.pipeline}"`);
    addToList(doc, parent, 'downstream_blocks', uuid);
  }
  // Keys in alphabetical order, as Mage's writer sorts them. No `status`: run state is not source.
  const entry = doc.createNode({
    configuration: {},
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
  const created = !existsSync(file);
  if (created) createFile(file, blockTemplate(block.type, block.language, { upstream: block.upstream }));
  writeFileAtomic(metadataPath, printInStyle(doc, text));
  return { uuid, file, created };
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
