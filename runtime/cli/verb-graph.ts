import { fanOut, isDynamic, reducesOutput } from '../graph/dynamic.js';
import type { GraphJson } from '../protocol.js';
import { buildGraph, type PipelineGraph } from '../graph/graph.js';
import { loadProject } from '../project/load-project.js';
import type { Pipeline, Project } from '../project/model.js';
import { validateProject } from '../validate/validate-project.js';
import { PROJECT_FLAG, type Invocation, type Verb } from './command.js';
import { displayPath, paint, problemLine } from './output.js';
import { noProject, projectDir } from './project-arg.js';

/** `pipewright graph <pipeline>`: the pipeline's blocks in run order, as text, JSON or Graphviz dot. */
export const graphVerb: Verb = {
  name: 'graph',
  summary: "Show a pipeline's blocks in run order with their links.",
  usage: 'pipewright graph <PIPELINE> [--format text|json|dot] [--project DIR]',
  flags: {
    project: PROJECT_FLAG,
    format: { type: 'string', value: 'text|json|dot', description: 'Output format (default text)' },
  },
  run(invocation) {
    const dir = projectDir(invocation);
    if (!dir) return noProject(invocation);
    const name = invocation.positionals[0];
    const project = loadProject(dir);
    if (!name) {
      invocation.err(`error: Name a pipeline: pipewright graph <PIPELINE> (pipelines: ${[...project.pipelines.keys()].join(', ') || 'none'})`);
      return 2;
    }
    const pipeline = project.pipelines.get(name);
    if (!pipeline) {
      const problems = project.problems.filter((p) => p.range.file.includes(`/pipelines/${name}/`));
      for (const problem of problems) invocation.err(problemLine(problem, invocation));
      if (problems.length === 0) {
        invocation.err(`error: Cannot find pipeline "${name}" in ${displayPath(invocation.cwd, dir) || '.'} (pipelines: ${[...project.pipelines.keys()].join(', ') || 'none'})`);
      }
      return problems.length > 0 ? 1 : 2;
    }
    const graph = buildGraph(pipeline);
    const format = (invocation.flags.format as string | undefined) ?? 'text';
    if (format === 'json') invocation.out(JSON.stringify(graphJson(project, pipeline, graph), null, 2));
    else if (format === 'dot') invocation.out(graphDot(pipeline, graph));
    else if (format === 'text') printText(invocation, { project, pipeline, graph });
    else {
      invocation.err(`error: Unknown format "${format}": use text, json or dot`);
      return 2;
    }
    const errors = validateProject(project).filter((p) => p.severity === 'error' && p.range.file.startsWith(`${pipeline.dir}/`));
    for (const problem of errors) invocation.err(problemLine(problem, invocation));
    return errors.length > 0 ? 1 : 0;
  },
};

/** The JSON form of a pipeline's graph; other tools (and the extension) read this. */
export function graphJson(project: Project, pipeline: Pipeline, graph: PipelineGraph): GraphJson {
  const { fannedBy } = fanOut(graph);
  return {
    pipeline: pipeline.uuid,
    name: pipeline.name,
    order: graph.order,
    cycle: graph.cycle ?? null,
    blocks: pipeline.blocks.map((b) => ({
      uuid: b.uuid,
      name: b.name,
      type: b.type,
      language: b.language,
      list: b.list,
      file: b.file ? displayPath(project.root, b.file) : null,
      fileExists: b.fileExists,
      upstream: graph.upstream.get(b.uuid) ?? b.upstream,
      dynamic: graph.blocks.has(b.uuid) && isDynamic(b),
      fannedBy: fannedBy.get(b.uuid) ?? null,
      reduceOutput: reducesOutput(b),
      downstream: graph.downstream.get(b.uuid) ?? b.downstream,
    })),
    edges: graph.edges,
  };
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const DOT_COLORS: Record<string, string> = { data_loader: '#4c8bf5', transformer: '#9c5de0', data_exporter: '#e0a030', sensor: '#3aa676' };

function graphDot(pipeline: Pipeline, graph: PipelineGraph): string {
  const lines = [`digraph ${quote(pipeline.uuid)} {`, '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontcolor=white];'];
  for (const uuid of [...graph.order, ...[...graph.blocks.keys()].filter((u) => !graph.order.includes(u))]) {
    const block = graph.blocks.get(uuid)!;
    lines.push(`  ${quote(uuid)} [label=${quote(`${block.name}\n${block.type}`)}, fillcolor=${quote(DOT_COLORS[block.type] ?? '#777777')}];`);
  }
  for (const edge of graph.edges) lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)};`);
  lines.push('}');
  return lines.join('\n');
}

function printText(invocation: Invocation, context: { project: Project; pipeline: Pipeline; graph: PipelineGraph }): void {
  const { project, pipeline, graph } = context;
  const { color } = invocation;
  invocation.out(`${paint(color, 'bold', pipeline.uuid)}${pipeline.name !== pipeline.uuid ? ` (${pipeline.name})` : ''}: ${graph.blocks.size} blocks`);
  const width = Math.max(0, ...graph.order.map((u) => u.length));
  const { fannedBy } = fanOut(graph);
  graph.order.forEach((uuid, index) => {
    const block = graph.blocks.get(uuid)!;
    const upstream = graph.upstream.get(uuid)!;
    const file = block.file ? displayPath(project.root, block.file) : '-';
    const from = upstream.length ? paint(color, 'dim', `  ← ${upstream.join(', ')}`) : '';
    const shape = [
      isDynamic(block) ? 'dynamic' : '',
      fannedBy.has(uuid) ? `once per item of ${fannedBy.get(uuid)}` : '',
      reducesOutput(block) && fannedBy.has(uuid) ? 'reduces' : '',
    ].filter(Boolean);
    const how = shape.length ? paint(color, 'dim', `  [${shape.join(', ')}]`) : '';
    invocation.out(`  ${String(index + 1).padStart(2)}. ${uuid.padEnd(width)}  ${block.type.padEnd(13)} ${block.language.padEnd(10)} ${file}${from}${how}`);
  });
  if (graph.cycle) invocation.out(paint(color, 'red', `  cycle: ${graph.cycle.join(' → ')}`));
  for (const block of pipeline.blocks.filter((b) => b.list === 'callbacks' || b.list === 'conditionals')) {
    invocation.out(`  ${block.list === 'callbacks' ? 'callback' : 'condition'} ${block.uuid} on ${block.upstream.join(', ') || '(nothing)'}`);
  }
}
