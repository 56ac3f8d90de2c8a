import { dirname, relative, sep } from 'node:path';
import { fanOut } from '../graph/dynamic.js';
import { buildGraph } from '../graph/graph.js';
import { checkBlockCode, literalSecrets } from './check-block-code.js';
import { addProblems, finishProblems, type Problem } from '../problem.js';
import { diskHost, type ProjectHost } from '../project/host.js';
import type { Block, Pipeline, Project } from '../project/model.js';
import { envLookup } from '../project/profile-resolve.js';
import { keyRange, valueRange, type YamlPath } from '../yaml/yaml-file.js';

/**
 * Every problem of a project: what loading found, plus the graph, block file, profile and environment
 * checks. Missing environment variables are warnings here, since they may be set where the pipeline runs.
 */
export function validateProject(project: Project, options: { env?: NodeJS.ProcessEnv; host?: ProjectHost } = {}): Problem[] {
  const problems = [...project.problems];
  for (const pipeline of project.pipelines.values()) addProblems(problems, checkPipeline(project, pipeline));
  addProblems(problems, checkEnvironment(project, options.env ?? process.env));
  addProblems(problems, checkBlockCode(project, options.host ?? diskHost, options.env ?? process.env));
  return finishProblems(problems);
}

/** The problems of one pipeline's own files (metadata.yaml, triggers.yaml): what changes when only they were edited. */
export function validatePipeline(project: Project, pipeline: Pipeline): Problem[] {
  return validatePipelineFolder(project, pipeline.dir);
}

/**
 * The problems of the files in one pipeline's folder, which depend on nothing in other pipelines: a
 * project loaded with only that folder gives them all. Also when the folder holds no pipeline (yet).
 */
export function validatePipelineFolder(project: Project, dir: string): Problem[] {
  const pipeline = [...project.pipelines.values()].find((p) => p.dir === dir);
  return finishProblems([...project.problems, ...(pipeline ? checkPipeline(project, pipeline) : [])].filter((p) => dirname(p.range.file) === dir));
}

/**
 * The problems of the project's own files (io_config.yaml, metadata.yaml), which depend on no pipeline:
 * a project loaded with no pipeline folder gives them all.
 */
export function validateRootFiles(project: Project, options: { env?: NodeJS.ProcessEnv } = {}): Problem[] {
  const own = project.problems.filter((p) => dirname(p.range.file) === project.root);
  return finishProblems([...own, ...checkEnvironment(project, options.env ?? process.env), ...literalSecrets(project)]);
}

function rawIndex(block: Block, key: 'upstream_blocks' | 'downstream_blocks', uuid: string): number {
  const list = block.raw[key];
  return Array.isArray(list) ? list.findIndex((v) => v !== null && String(v) === uuid) : -1;
}

function checkPipeline(project: Project, pipeline: Pipeline): Problem[] {
  const problems: Problem[] = [];
  const file = pipeline.metadata;
  const at = (block: Block, rest: YamlPath) => valueRange(file, [...block.path, ...rest]);
  const seen = new Map<string, Block>();
  for (const block of pipeline.blocks) {
    const earlier = seen.get(block.uuid);
    if (earlier) {
      problems.push({
        code: 'duplicate-uuid',
        severity: 'error',
        message: `Block uuid "${block.uuid}" is used twice in this pipeline (also in ${earlier.list}): give one block another uuid`,
        range: at(block, ['uuid']),
      });
    } else {
      seen.set(block.uuid, block);
    }
    addProblems(problems, missingBlockFile(project, pipeline, block));
  }
  const graph = buildGraph(pipeline);
  for (const ref of graph.unknown) {
    const block = graph.blocks.get(ref.block)!;
    const key = ref.side === 'upstream' ? 'upstream_blocks' : 'downstream_blocks';
    problems.push({
      code: ref.side === 'upstream' ? 'unknown-upstream' : 'unknown-downstream',
      // A warning, not an error: Mage loads such files (it drops the link), and real projects have them.
      severity: 'warning',
      message: `Cannot find ${ref.side} block "${ref.uuid}" of "${block.uuid}" in this pipeline (Mage silently drops the link): add the block to ${relative(project.root, file.path)} or remove "${ref.uuid}"`,
      range: at(block, [key, rawIndex(block, key, ref.uuid)]),
    });
  }
  for (const edge of graph.edges) {
    if (edge.listedIn === 'both') continue;
    const from = graph.blocks.get(edge.from)!;
    const to = graph.blocks.get(edge.to)!;
    const message =
      edge.listedIn === 'upstream'
        ? `"${to.uuid}" lists "${from.uuid}" upstream, but "${from.uuid}" does not list "${to.uuid}" in downstream_blocks: Pipewright uses the link; add "${to.uuid}" there to keep the lists in step`
        : `"${from.uuid}" lists "${to.uuid}" downstream, but "${to.uuid}" does not list "${from.uuid}" in upstream_blocks: Pipewright uses the link; add "${from.uuid}" there to keep the lists in step`;
    const range =
      edge.listedIn === 'upstream'
        ? at(to, ['upstream_blocks', rawIndex(to, 'upstream_blocks', from.uuid)])
        : at(from, ['downstream_blocks', rawIndex(from, 'downstream_blocks', to.uuid)]);
    const fix =
      edge.listedIn === 'upstream'
        ? ({ kind: 'add-link', file: file.path, block: from.uuid, key: 'downstream_blocks', uuid: to.uuid } as const)
        : ({ kind: 'add-link', file: file.path, block: to.uuid, key: 'upstream_blocks', uuid: from.uuid } as const);
    problems.push({ code: 'edge-mismatch', severity: 'warning', message, range, fix });
  }
  if (graph.cycle) {
    const path = graph.cycle.join(' → ');
    for (const uuid of new Set(graph.cycle)) {
      problems.push({
        code: 'cycle',
        severity: 'error',
        message: `Blocks form a cycle: ${path}; remove one of these links`,
        range: at(graph.blocks.get(uuid)!, ['uuid']),
      });
    }
  }
  if (!graph.cycle) {
    for (const problem of fanOut(graph).problems) {
      const block = graph.blocks.get(problem.block)!;
      const key = problem.key === 'configuration' ? (block.raw.configuration ? ['configuration'] : ['uuid']) : block.raw.upstream_blocks ? ['upstream_blocks'] : ['uuid'];
      problems.push({ code: 'dynamic-shape', severity: problem.severity, message: problem.message, range: keyRange(file, [...block.path, ...key]) });
    }
  }
  problems.push(...checkAttachments(pipeline, graph.blocks), ...checkProfiles(project, pipeline));
  return problems;
}

/** Callbacks and conditionals name the blocks they attach to in upstream_blocks. */
function checkAttachments(pipeline: Pipeline, steps: Map<string, Block>): Problem[] {
  const problems: Problem[] = [];
  for (const block of pipeline.blocks) {
    if (block.list !== 'callbacks' && block.list !== 'conditionals') continue;
    const kind = block.list === 'callbacks' ? 'callback' : 'conditional';
    if (block.type !== kind) {
      problems.push({
        code: 'attached-type',
        severity: 'error',
        message: `Block "${block.uuid}" is listed under ${block.list}: but its type is ${block.type}: give it type: ${kind}, or move it to the list of its type`,
        range: valueRange(pipeline.metadata, [...block.path, block.raw.type === undefined ? 'uuid' : 'type']),
      });
    }
    for (const uuid of block.upstream) {
      if (steps.has(uuid)) continue;
      problems.push({
        code: 'unknown-upstream',
        severity: 'error',
        message: `Cannot find block "${uuid}" that ${block.list === 'callbacks' ? 'callback' : 'conditional'} "${block.uuid}" is attached to: add it to the pipeline or remove it from upstream_blocks`,
        range: valueRange(pipeline.metadata, [...block.path, 'upstream_blocks', rawIndex(block, 'upstream_blocks', uuid)]),
      });
    }
  }
  return problems;
}

/** SQL blocks that name an io_config.yaml profile (data_provider_profile) the project does not have. */
function checkProfiles(project: Project, pipeline: Pipeline): Problem[] {
  const profiles = project.ioConfig?.profiles;
  if (!profiles) return [];
  return pipeline.blocks.flatMap((block): Problem[] => {
    const name = block.configuration.data_provider_profile;
    if (typeof name !== 'string' || name === '' || profiles.has(name)) return [];
    return [
      {
        code: 'unknown-profile',
        severity: 'error',
        message: `Block "${block.uuid}" uses profile "${name}", which io_config.yaml does not have (profiles: ${[...profiles.keys()].join(', ') || 'none'}): add it there or choose one of these`,
        range: valueRange(pipeline.metadata, [...block.path, 'configuration', 'data_provider_profile']),
      },
    ];
  });
}

/** A block whose file is missing, or leads out of the project. */
function missingBlockFile(project: Project, pipeline: Pipeline, block: Block): Problem[] {
  if (!block.file || block.fileExists) return [];
  const shown = relative(project.root, block.file);
  const setting = { file_path: 'configuration.file_path', file_source: 'configuration.file_source.path', convention: 'the uuid' }[block.fileVia ?? 'convention'];
  const range =
    block.fileVia === 'file_path'
      ? valueRange(pipeline.metadata, [...block.path, 'configuration', 'file_path'])
      : block.fileVia === 'file_source'
        ? valueRange(pipeline.metadata, [...block.path, 'configuration', 'file_source', 'path'])
        : keyRange(pipeline.metadata, [...block.path, 'uuid']);
  if (block.fileOutside) {
    return [
      {
        code: 'block-file-outside',
        severity: 'error',
        message: `The file of block "${block.uuid}" would be ${block.file}, outside the project (${project.repoRoot}): Pipewright reads and runs block files only inside it; move the file into the project and fix ${setting}`,
        range,
      },
    ];
  }
  // In a multi-project setup, a file may live in a sibling project that is not here at all; the
  // missing project is reported once, in settings.yaml.
  const inMissingSibling = project.absentProjects.has(relative(project.repoRoot, block.file).split(sep)[0]);
  return [
    {
      code: 'missing-block-file',
      severity: inMissingSibling ? 'warning' : 'error',
      message: `Cannot find the file of block "${block.uuid}": ${shown} does not exist; create it (pipewright new block) or fix ${setting}`,
      range,
      fix: { kind: 'create-block-file', file: block.file, type: block.type, language: block.language, upstream: block.upstream },
    },
  ];
}

function checkEnvironment(project: Project, env: NodeJS.ProcessEnv): Problem[] {
  const config = project.ioConfig;
  if (!config) return [];
  const lookup = envLookup(env, project.dotenv);
  const problems: Problem[] = [];
  for (const profile of config.profiles.values()) {
    for (const reference of profile.envReferences) {
      if (lookup(reference.name) !== undefined) continue;
      problems.push({
        code: 'missing-env-var',
        severity: 'warning',
        message: `Environment variable "${reference.name}" is not set here (profile "${profile.name}", ${reference.key}): set it, or add it to the project's .env, before running with this profile`,
        range: reference.range,
      });
    }
  }
  return problems;
}
