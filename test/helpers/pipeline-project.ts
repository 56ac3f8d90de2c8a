import type { TestContext } from 'node:test';
import { writeTree } from './project-tree.ts';

/** A block of a test pipeline: its type, its code, its upstream blocks and extra YAML keys. */
export interface TestBlock {
  /** conditional and callback blocks go under `conditionals:` / `callbacks:`, attached to their upstream blocks. */
  type?: 'data_loader' | 'transformer' | 'data_exporter' | 'custom' | 'sensor' | 'conditional' | 'callback';
  language?: 'typescript' | 'sql' | 'python';
  code: string;
  upstream?: string[];
  /** Extra lines of the block's entry in metadata.yaml, such as `timeout: 1`. */
  yaml?: string[];
}

const DIRS = {
  data_loader: 'data_loaders',
  transformer: 'transformers',
  data_exporter: 'data_exporters',
  custom: 'custom',
  sensor: 'sensors',
  conditional: 'conditionals',
  callback: 'callbacks',
};
const ATTACHED = { conditional: 'conditionals', callback: 'callbacks' } as const;
const EXT = { typescript: 'ts', sql: 'sql', python: 'py' };

/** Writes a project with one pipeline `p` made of the given blocks, mirrors of links included. */
export function pipelineProject(t: TestContext, blocks: Record<string, TestBlock>, options: { variables?: Record<string, unknown>; files?: Record<string, string> } = {}): string {
  const files: Record<string, string> = { 'io_config.yaml': 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n', ...options.files };
  const lists: Record<'blocks' | 'conditionals' | 'callbacks', string[]> = { blocks: [], conditionals: [], callbacks: [] };
  for (const [uuid, block] of Object.entries(blocks)) {
    const type = block.type ?? (block.upstream?.length ? 'transformer' : 'data_loader');
    const language = block.language ?? 'typescript';
    files[`${DIRS[type]}/${uuid}.${EXT[language]}`] = block.code;
    const attached = type === 'conditional' || type === 'callback';
    const downstream = attached
      ? []
      : Object.entries(blocks)
          .filter(([, b]) => b.upstream?.includes(uuid) && b.type !== 'conditional' && b.type !== 'callback')
          .map(([u]) => u);
    lists[attached ? ATTACHED[type] : 'blocks'].push(
      [
        `- uuid: ${uuid}`,
        `  type: ${type}`,
        `  language: ${language}`,
        `  upstream_blocks: [${(block.upstream ?? []).join(', ')}]`,
        `  downstream_blocks: [${downstream.join(', ')}]`,
        ...(block.yaml ?? []).map((line) => `  ${line}`),
      ].join('\n'),
    );
  }
  const variables = options.variables ? `variables: ${JSON.stringify(options.variables)}\n` : '';
  const extra = (['conditionals', 'callbacks'] as const)
    .filter((l) => lists[l].length > 0)
    .map((l) => `${l}:\n${lists[l].join('\n')}\n`)
    .join('');
  files['pipelines/p/metadata.yaml'] = `blocks:\n${lists.blocks.join('\n')}\n${extra}name: p\nuuid: p\n${variables}`;
  return writeTree(t, files);
}
