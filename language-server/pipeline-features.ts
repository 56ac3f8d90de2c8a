import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CompletionItemKind, MarkupKind, type CompletionItem, type Hover, type Location } from 'vscode-languageserver';
import { buildGraph, type PipelineGraph } from '../runtime/graph/graph.js';
import type { Block, Pipeline, Project } from '../runtime/project/model.js';
import { keysAt, schemaAt, valuesAt } from './schema-lookup.js';
import { lastRunLine } from './run-status.js';
import { profileNames } from './source-features.js';
import { cursorInText, type YamlCursor } from './yaml-cursor.js';
import { pipelineFileOf } from '../runtime/project/pipeline-files.js';

/** The pipeline whose metadata.yaml is at `file`, if it is one. */
export function pipelineOfFile(project: Project, file: string): Pipeline | undefined {
  const own = pipelineFileOf(project.root, file);
  return own?.kind === 'metadata' ? project.pipelines.get(own.pipeline) : undefined;
}

/** The keys whose list items name other blocks. */
export const LINK_KEYS = ['upstream_blocks', 'downstream_blocks'] as const;
const isLinkKey = (key: unknown): boolean => (LINK_KEYS as readonly unknown[]).includes(key);

/** Whether a cursor in a metadata.yaml is on a block uuid: an entry's `uuid:` value, or an item of a link list. */
function onBlockUuid(cursor: YamlCursor): boolean {
  const last = cursor.path[cursor.path.length - 1];
  return !!cursor.scalar && !cursor.onKey && (last === 'uuid' || (typeof last === 'number' && isLinkKey(cursor.path[cursor.path.length - 2])));
}

/** The block whose uuid is under the cursor in a pipeline's metadata.yaml, and where that uuid is written (offsets). */
export function blockAt(pipeline: Pipeline, text: string, offset: number): { block: Block; start: number; end: number } | undefined {
  const cursor = cursorInText(text, offset);
  if (!onBlockUuid(cursor)) return undefined;
  const block = pipeline.blocks.find((b) => b.uuid === String(cursor.scalar!.value));
  return block && { block, start: cursor.scalar!.start, end: cursor.scalar!.end };
}

/** The key a line of YAML sets, and its indentation. */
function keyOfLine(line: string): { indent: number; key: string } | undefined {
  const match = /^(\s*)(?:-\s+)?([A-Za-z_][\w]*)\s*:/.exec(line);
  return match ? { indent: match[1].length + (line.trimStart().startsWith('- ') ? 2 : 0), key: match[2] } : undefined;
}

/** The key whose value the cursor's line belongs to (the nearest key above, less indented). */
function parentKey(lines: string[], lineIndex: number): string | undefined {
  const indent = lines[lineIndex].length - lines[lineIndex].trimStart().length;
  for (let i = lineIndex - 1; i >= 0; i--) {
    const found = keyOfLine(lines[i]);
    if (found && found.indent < indent + (lines[lineIndex].trimStart().startsWith('-') ? 1 : 0)) return found.key;
  }
  return undefined;
}

function blockDoc(block: Block, graph: PipelineGraph, project: Project): string {
  const uses = block.file ? (project.blockUses.get(block.file) ?? []).map((u) => u.pipeline) : [];
  const lines = [`**${block.uuid}** · ${block.type} · ${block.language}`, ''];
  if (block.file) lines.push(`File: \`${relative(project.root, block.file)}\`${block.fileExists ? '' : ' (missing)'}`);
  lines.push(`Upstream: ${(graph.upstream.get(block.uuid) ?? block.upstream).join(', ') || 'none'}`);
  lines.push(`Downstream: ${(graph.downstream.get(block.uuid) ?? block.downstream).join(', ') || 'none'}`);
  if (uses.length > 1) lines.push(`Shared by pipelines: ${[...new Set(uses)].join(', ')}`);
  return lines.join('  \n');
}

/** A block's hover: what completion shows, and how its latest run went. */
function blockHover(block: Block, pipeline: Pipeline, project: Project): string {
  return `${blockDoc(block, buildGraph(pipeline), project)}  \n${lastRunLine(project.root, pipeline.uuid, block.uuid) ?? 'Not run yet'}`;
}

/** Completion in a pipeline's metadata.yaml: block uuids in link lists, schema values and keys. */
export function completePipeline(project: Project, pipeline: Pipeline, text: string, offset: number): CompletionItem[] {
  const lines = text.slice(0, offset).split('\n');
  const lineIndex = lines.length - 1;
  const before = lines[lineIndex];
  const all = [...text.split('\n')];
  const inlineList = /^\s*(?:-\s+)?(upstream_blocks|downstream_blocks):\s*\[[^\]]*$/.exec(before);
  const listItem = /^\s*-\s*[\w.-]*$/.test(before) ? parentKey(all, lineIndex) : undefined;
  if (inlineList || (listItem && isLinkKey(listItem))) {
    const graph = buildGraph(pipeline);
    return pipeline.blocks
      .filter((b) => b.list === 'blocks' || b.list === 'widgets')
      .map((b) => ({
        label: b.uuid,
        kind: CompletionItemKind.Reference,
        detail: `${b.type} · ${b.language}`,
        documentation: { kind: MarkupKind.Markdown, value: blockDoc(b, graph, project) },
      }));
  }
  const valueOf = /^\s*(?:-\s+)?(type|language|export_write_policy|data_provider|data_provider_profile)\s*:\s*[\w-]*$/.exec(before);
  if (valueOf?.[1] === 'data_provider_profile') return profileNames(project);
  if (valueOf) {
    const path = ['export_write_policy', 'data_provider'].includes(valueOf[1]) ? ['blocks', 0, 'configuration', valueOf[1]] : ['blocks', 0, valueOf[1]];
    return valuesAt('pipeline', path).map((v) => ({ label: v, kind: CompletionItemKind.EnumMember }));
  }
  if (/^\s*(?:-\s+)?[a-z_]*$/.test(before)) {
    const indent = before.length - before.trimStart().length;
    const inBlock = indent > 0 || before.trimStart().startsWith('-');
    const parent = indent > 2 ? parentKey(all, lineIndex) : undefined;
    const path = parent === 'configuration' ? ['blocks', 0, 'configuration'] : parent === 'retry_config' ? ['blocks', 0, 'retry_config'] : inBlock ? ['blocks', 0] : [];
    return keysAt('pipeline', path).map(({ key, description }) => ({ label: key, kind: CompletionItemKind.Property, insertText: `${key}: `, documentation: description }));
  }
  return [];
}

/** Hover in a pipeline's metadata.yaml: a key's description, or what a block uuid is. */
export function hoverPipeline(project: Project, pipeline: Pipeline, text: string, offset: number): Hover | undefined {
  const cursor = cursorInText(text, offset);
  if (!cursor.scalar) return undefined;
  const value = String(cursor.scalar.value);
  const last = cursor.path[cursor.path.length - 1];
  if (onBlockUuid(cursor)) {
    const block = pipeline.blocks.find((b) => b.uuid === value);
    if (block) return { contents: { kind: MarkupKind.Markdown, value: blockHover(block, pipeline, project) } };
    return undefined;
  }
  const description = schemaAt('pipeline', cursor.onKey ? cursor.path : cursor.path)?.description;
  return description ? { contents: { kind: MarkupKind.Markdown, value: `**${cursor.onKey ? value : String(last)}**: ${description}` } } : undefined;
}

/** Go to definition in a pipeline's metadata.yaml: a block uuid (in a link list or as uuid) goes to its file. */
export function definitionPipeline(pipeline: Pipeline, text: string, offset: number): Location | undefined {
  const cursor = cursorInText(text, offset);
  if (!cursor.scalar || cursor.onKey) return undefined;
  const block = pipeline.blocks.find((b) => b.uuid === String(cursor.scalar!.value));
  if (!block?.file || !block.fileExists) return undefined;
  return { uri: pathToFileURL(block.file).href, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}
