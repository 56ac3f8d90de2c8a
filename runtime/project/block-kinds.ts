/** Mage's block types (`BlockType` in mage_ai/data_preparation/models/constants.py). */
export const BLOCK_TYPES = [
  'data_loader',
  'transformer',
  'data_exporter',
  'custom',
  'sensor',
  'scratchpad',
  'dbt',
  'callback',
  'conditional',
  'markdown',
  'chart',
  'extension',
  'global_data_product',
  'dynamic_child',
  'hook',
  'group',
  'pipeline',
] as const;

/** One of Mage's block types. */
export type BlockType = (typeof BLOCK_TYPES)[number];

/** Block languages: Mage's, plus our `typescript`. */
export const BLOCK_LANGUAGES = ['python', 'sql', 'yaml', 'r', 'markdown', 'typescript'] as const;

/** One block language. */
export type BlockLanguage = (typeof BLOCK_LANGUAGES)[number];

/** File extension per language (`BLOCK_LANGUAGE_TO_FILE_EXTENSION`, plus `ts`). */
export const LANGUAGE_EXTENSIONS: Record<BlockLanguage, string> = {
  python: 'py',
  sql: 'sql',
  yaml: 'yaml',
  r: 'r',
  markdown: 'md',
  typescript: 'ts',
};

/** The language a block file's extension implies, for files found on disk. */
export function languageOfExtension(ext: string): BlockLanguage | undefined {
  const found = Object.entries(LANGUAGE_EXTENSIONS).find(([, e]) => e === ext.replace(/^\./, '').toLowerCase());
  return found?.[0] as BlockLanguage | undefined;
}

/** Block types whose code lives in a file of their own, and the folder Mage keeps it in. */
const BLOCK_DIRECTORIES: Partial<Record<BlockType, string>> = {
  data_loader: 'data_loaders',
  transformer: 'transformers',
  data_exporter: 'data_exporters',
  // Mage's one exception to "<type>s": custom blocks live in custom/.
  custom: 'custom',
  sensor: 'sensors',
  scratchpad: 'scratchpads',
  callback: 'callbacks',
  conditional: 'conditionals',
  markdown: 'markdowns',
  chart: 'charts',
  dbt: 'dbt',
};

/** The folder a block type's files live in, or undefined when the type has no file of its own. */
export function blockDirectory(type: string): string | undefined {
  return isBlockType(type) ? BLOCK_DIRECTORIES[type] : undefined;
}

/** Block types that never run in a pipeline run (`NON_PIPELINE_EXECUTABLE_BLOCK_TYPES`). */
export const NON_EXECUTABLE_TYPES: ReadonlySet<BlockType> = new Set(['chart', 'markdown', 'scratchpad']);

/** Whether a string is one of Mage's block types. */
export function isBlockType(value: unknown): value is BlockType {
  return typeof value === 'string' && (BLOCK_TYPES as readonly string[]).includes(value);
}

/** Whether a string is a block language Pipewright knows. */
export function isBlockLanguage(value: unknown): value is BlockLanguage {
  return typeof value === 'string' && (BLOCK_LANGUAGES as readonly string[]).includes(value);
}
