import { basename, join } from 'node:path';
import { addProblems, type Problem } from '../problem.js';
import { validateSchema } from '../schema/validate-schema.js';
import { BLOCK_TYPES, blockDirectory, isBlockLanguage, isBlockType, type BlockLanguage, type BlockType } from './block-kinds.js';
import { locateBlockFile, type ProjectFolders } from './block-path.js';
import type { ProjectHost } from './host.js';
import type { Block, BlockList, Pipeline } from './model.js';
import { readTriggers } from './load-triggers.js';
import { closest } from './suggest.js';
import { keyRange, parseYamlFile, valueRange, type YamlFile } from '../yaml/yaml-file.js';

const BLOCK_LISTS: BlockList[] = ['blocks', 'callbacks', 'conditionals', 'widgets'];

/** Loads pipelines/<uuid>/metadata.yaml and triggers.yaml; undefined when the folder has no metadata.yaml. */
export function loadPipeline(dir: string, options: { folders: ProjectFolders; host: ProjectHost }): { pipeline?: Pipeline; problems: Problem[] } {
  const path = join(dir, 'metadata.yaml');
  const text = options.host.readFile(path);
  if (text === undefined) return { problems: [] };
  const { file, problems } = parseYamlFile(path, text);
  if (problems.some((p) => p.code === 'yaml-syntax')) return { problems };
  if (file.value === null) {
    problems.push({
      code: 'empty-file',
      severity: 'error',
      message: 'Pipeline metadata.yaml is empty: it needs at least name, uuid and blocks (run "pipewright new pipeline" for a template)',
      range: keyRange(file, []),
    });
    return { problems };
  }
  addProblems(problems, validateSchema(file, 'pipeline'));
  if (typeof file.value !== 'object' || Array.isArray(file.value)) return { problems };
  const raw = file.value as Record<string, unknown>;
  const folder = basename(dir);
  const uuid = raw.uuid === undefined || raw.uuid === null ? folder : String(raw.uuid);
  if (uuid !== folder) {
    problems.push({
      code: 'uuid-mismatch',
      severity: 'warning',
      message: `Pipeline uuid "${uuid}" differs from its folder "${folder}": Pipewright and Mage find pipelines by folder; rename one so they match`,
      range: valueRange(file, ['uuid']),
    });
  }
  const blocks: Block[] = [];
  for (const list of BLOCK_LISTS) {
    const entries = raw[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, index) => {
      const block = readBlock(entry, { file, list, index, problems, ...options });
      if (block) blocks.push(block);
    });
  }
  const triggersPath = join(dir, 'triggers.yaml');
  const triggersText = options.host.readFile(triggersPath);
  const triggers = triggersText === undefined ? undefined : readTriggers(triggersPath, triggersText);
  if (triggers) addProblems(problems, triggers.problems);
  const pipeline: Pipeline = {
    uuid: folder,
    name: raw.name === undefined || raw.name === null ? folder : String(raw.name),
    type: typeof raw.type === 'string' ? raw.type : 'python',
    description: typeof raw.description === 'string' ? raw.description : undefined,
    variables: isMap(raw.variables) ? raw.variables : {},
    tags: Array.isArray(raw.tags) ? raw.tags.map(String) : [],
    dir,
    metadata: file,
    triggersFile: triggers?.file,
    blocks,
    triggers: triggers?.value ?? [],
    raw,
  };
  return { pipeline, problems };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function uuidList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v) => v !== null && v !== undefined).map(String) : [];
}

interface ReadBlockOptions {
  file: YamlFile;
  list: BlockList;
  index: number;
  problems: Problem[];
  folders: ProjectFolders;
  host: ProjectHost;
}

function readBlock(entry: unknown, options: ReadBlockOptions): Block | undefined {
  const { file, list, index, problems } = options;
  const path = [list, index] as const;
  if (!isMap(entry)) return undefined; // the schema has reported it
  const uuidValue = entry.uuid ?? entry.name;
  if (uuidValue === undefined || uuidValue === null || uuidValue === '') {
    problems.push({
      code: 'missing-uuid',
      severity: 'warning',
      message: 'Block has no uuid (nor name): it is skipped; add uuid: <file name without extension>',
      range: keyRange(file, path),
    });
    return undefined;
  }
  const uuid = String(uuidValue);
  if (entry.uuid === undefined || entry.uuid === null) {
    problems.push({
      code: 'missing-uuid',
      severity: 'warning',
      message: `Block has no uuid: Pipewright uses its name "${uuid}"; add uuid: ${uuid}`,
      range: keyRange(file, path),
    });
  }
  const configuration = isMap(entry.configuration) ? entry.configuration : {};
  const language: BlockLanguage = isBlockLanguage(entry.language) ? entry.language : 'python';
  const type = blockType(entry, { uuid, list, path, file, problems });
  if (!type) return undefined;
  const location = locateBlockFile({ uuid, type, language, configuration }, options);
  return {
    uuid,
    name: entry.name === undefined || entry.name === null ? uuid : String(entry.name),
    type,
    language,
    upstream: uuidList(entry.upstream_blocks),
    downstream: uuidList(entry.downstream_blocks),
    configuration,
    list,
    path,
    file: location?.file,
    fileExists: location?.exists ?? false,
    fileVia: location?.via,
    ...(location?.outside ? { fileOutside: true } : {}),
    raw: entry,
  };
}

/** The list a block sits in implies its type when Mage left it out. */
const LIST_TYPES: Partial<Record<BlockList, BlockType>> = { callbacks: 'callback', conditionals: 'conditional', widgets: 'chart' };

function blockType(
  entry: Record<string, unknown>,
  context: { uuid: string; list: BlockList; path: readonly (string | number)[]; file: YamlFile; problems: Problem[] },
): Block['type'] | undefined {
  if (isBlockType(entry.type)) return entry.type;
  if (typeof entry.type === 'string' && entry.type !== '') {
    const meant = closest(entry.type, BLOCK_TYPES);
    if (meant) {
      context.problems.push({
        code: 'unknown-block-type',
        severity: 'error',
        message: `Unknown block type "${entry.type}": did you mean ${meant}?`,
        range: valueRange(context.file, [...context.path, 'type']),
      });
      return undefined;
    }
    context.problems.push({
      code: 'unknown-block-type',
      severity: 'warning',
      message: `Block type "${entry.type}" is not one Pipewright knows (newer Mage versions add their own): the block is shown but never run; known types are ${BLOCK_TYPES.join(', ')}`,
      range: valueRange(context.file, [...context.path, 'type']),
    });
    return entry.type;
  }
  if (entry.type !== undefined && entry.type !== null) return undefined; // the schema has reported it
  const implied = LIST_TYPES[context.list] ?? 'custom';
  context.problems.push({
    code: 'schema',
    severity: 'warning',
    message: `Block "${context.uuid}" has no type: Pipewright treats it as ${implied} (files in ${blockDirectory(implied) ?? 'no folder'}/); add type: ${implied} or the block's real type`,
    range: keyRange(context.file, context.path),
  });
  return implied;
}
