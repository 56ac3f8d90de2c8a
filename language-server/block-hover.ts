import { relative } from 'node:path';
import { MarkupKind, type Hover } from 'vscode-languageserver';
import { buildGraph } from '../runtime/graph/graph.js';
import type { Block, Pipeline, Project } from '../runtime/project/model.js';
import { findTemplateExpressions } from '../runtime/template/template.js';
import { lastRunLine } from './run-status.js';

/** The word at an offset of a text, with where it starts and ends. */
function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && /[\w@]/.test(text[start - 1])) start--;
  while (end < text.length && /\w/.test(text[end])) end++;
  return end > start ? { word: text.slice(start, end), start, end } : undefined;
}

/** The uses of a block file: each pipeline and block entry that runs it. */
function usesOf(project: Project, file: string): { pipeline: Pipeline; block: Block }[] {
  return (project.blockUses.get(file) ?? []).flatMap((use) => {
    const pipeline = project.pipelines.get(use.pipeline);
    const block = pipeline?.blocks.find((b) => b.uuid === use.block);
    return pipeline && block ? [{ pipeline, block }] : [];
  });
}

/** What a block file is, per pipeline using it: type, links and its latest run. */
function blockFileDoc(project: Project, file: string): string | undefined {
  const uses = usesOf(project, file);
  if (uses.length === 0) return undefined;
  const lines = [`**${relative(project.root, file)}** · ${uses.length === 1 ? 'used by 1 pipeline' : `shared by ${uses.length} pipelines`}`];
  for (const { pipeline, block } of uses) {
    const graph = buildGraph(pipeline);
    lines.push('', `Pipeline **${pipeline.uuid}**: block \`${block.uuid}\` · ${block.type}`);
    lines.push(
      `Upstream: ${(graph.upstream.get(block.uuid) ?? block.upstream).join(', ') || 'none'} · Downstream: ${(graph.downstream.get(block.uuid) ?? block.downstream).join(', ') || 'none'}`,
    );
    lines.push(lastRunLine(project.root, pipeline.uuid, block.uuid) ?? 'Not run yet');
  }
  return lines.join('  \n');
}

/** What an upstream name in a SQL block stands for: `df_N` or an upstream uuid, in each pipeline using the file. */
function upstreamDoc(project: Project, file: string, name: string): string | undefined {
  const lines: string[] = [];
  for (const { pipeline, block } of usesOf(project, file)) {
    const index = /^df_(\d+)$/.exec(name) ? Number(name.slice(3)) - 1 : block.upstream.indexOf(name);
    const upstream = block.upstream[index];
    if (upstream === undefined) continue;
    const source = pipeline.blocks.find((b) => b.uuid === upstream);
    lines.push(`\`${name}\` in **${pipeline.uuid}**: the output of \`${upstream}\`${source ? ` (${source.type})` : ''}`);
    lines.push(lastRunLine(project.root, pipeline.uuid, upstream) ?? 'Not run yet');
  }
  return lines.length ? lines.join('  \n') : undefined;
}

/**
 * Hover in a block file: on the block API wrapper (TypeScript), the decorator (Python) or the first
 * line (SQL), what the block is in every pipeline that uses the file and how its latest run went; on
 * `{{ df_N }}` or `{{ upstream_uuid }}` in SQL, which block's output that is.
 */
export function hoverBlockFile(project: Project, file: string, text: string, offset: number): Hover | undefined {
  const markdown = (value: string | undefined): Hover | undefined => (value ? { contents: { kind: MarkupKind.Markdown, value } } : undefined);
  if (file.endsWith('.sql')) {
    const expression = findTemplateExpressions(text).expressions.find((e) => e.start <= offset && offset <= e.end);
    if (expression?.parsed.kind === 'name') return markdown(upstreamDoc(project, file, expression.parsed.name));
    return offset <= text.indexOf('\n') || !text.includes('\n') ? markdown(blockFileDoc(project, file)) : undefined;
  }
  const word = wordAt(text, offset);
  if (!word) return undefined;
  const line = text.slice(text.lastIndexOf('\n', word.start - 1) + 1, text.indexOf('\n', word.end) === -1 ? text.length : text.indexOf('\n', word.end));
  const isWrapper = file.endsWith('.ts') && new RegExp(`export\\s+default\\s+${word.word}\\s*\\(`).test(line);
  const isDecorator = file.endsWith('.py') && word.word.startsWith('@') && /^\s*@\w+\s*$/.test(line);
  return isWrapper || isDecorator ? markdown(blockFileDoc(project, file)) : undefined;
}
