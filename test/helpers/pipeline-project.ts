import type { TestContext } from 'node:test';
import { writeTree } from './project-tree.ts';

/** A block of a test pipeline: its type, its code, its upstream blocks and extra YAML keys. */
export interface TestBlock {
  type?: 'data_loader' | 'transformer' | 'data_exporter' | 'custom' | 'sensor';
  language?: 'typescript' | 'sql' | 'python';
  code: string;
  upstream?: string[];
  /** Extra lines of the block's entry in metadata.yaml, such as `timeout: 1`. */
  yaml?: string[];
}

const DIRS = { data_loader: 'data_loaders', transformer: 'transformers', data_exporter: 'data_exporters', custom: 'custom', sensor: 'sensors' };
const EXT = { typescript: 'ts', sql: 'sql', python: 'py' };

/** Writes a project with one pipeline `p` made of the given blocks, mirrors of links included. */
export function pipelineProject(t: TestContext, blocks: Record<string, TestBlock>, options: { variables?: Record<string, unknown>; files?: Record<string, string> } = {}): string {
  const files: Record<string, string> = { 'io_config.yaml': 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n', ...options.files };
  const entries: string[] = [];
  for (const [uuid, block] of Object.entries(blocks)) {
    const type = block.type ?? (block.upstream?.length ? 'transformer' : 'data_loader');
    const language = block.language ?? 'typescript';
    files[`${DIRS[type]}/${uuid}.${EXT[language]}`] = block.code;
    const downstream = Object.entries(blocks).filter(([, b]) => b.upstream?.includes(uuid)).map(([u]) => u);
    entries.push(
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
  files['pipelines/p/metadata.yaml'] = `blocks:\n${entries.join('\n')}\nname: p\nuuid: p\n${variables}`;
  return writeTree(t, files);
}
