import { basename, dirname, join, resolve } from 'node:path';
import { addProblems, fileStart, type Problem } from '../problem.js';
import { validateSchema } from '../schema/validate-schema.js';
import { diskHost, type ProjectHost } from './host.js';
import { readIoConfig, type IoConfig } from './io-config.js';
import { loadPipeline } from './load-pipeline.js';
import { readProjectEnv } from './project-env.js';
import type { BlockUse, Pipeline, Project } from './model.js';
import { keyRange, parseYamlFile, type YamlFile } from '../yaml/yaml-file.js';

/** Options of `loadProject`. */
export interface LoadOptions {
  host?: ProjectHost;
  /** The multi-project root (holding settings.yaml) when `dir` is one of its projects. */
  repoRoot?: string;
  /**
   * Only these pipeline folders (paths), not every folder in pipelines/: enough to check one
   * pipeline's own files, which depend on nothing in the other pipelines.
   */
  pipelineDirs?: readonly string[];
}

/** Loads a project folder; broken files become problems, and everything else still loads. */
export function loadProject(dir: string, options: LoadOptions = {}): Project {
  const host = options.host ?? diskHost;
  const root = resolve(dir);
  const repoRoot = options.repoRoot ?? findRepoRoot(root, host) ?? root;
  const problems: Problem[] = [];
  const metadata = readYaml(join(root, 'metadata.yaml'), host, problems);
  if (metadata && metadata.value !== null) addProblems(problems, validateSchema(metadata, 'project'));
  const ioConfig = readIoConfigFile(join(root, 'io_config.yaml'), host, problems);
  const dotenv = readProjectEnv(root, host);
  const pipelines = new Map<string, Pipeline>();
  const pipelinesDir = join(root, 'pipelines');
  const only = options.pipelineDirs && new Set(options.pipelineDirs.map((d) => resolve(d)));
  for (const name of host.listDirs(pipelinesDir)) {
    if (name.startsWith('.') || name === '__pycache__') continue;
    if (only && !only.has(join(pipelinesDir, name))) continue;
    const loaded = loadPipeline(join(pipelinesDir, name), { folders: { root, repoRoot }, host });
    addProblems(problems, loaded.problems);
    if (loaded.pipeline) pipelines.set(loaded.pipeline.uuid, loaded.pipeline);
  }
  const name = projectName(metadata, root);
  const listed = repoRoot === root ? [] : (settingsProjects(repoRoot, host) ?? []);
  const absentProjects = new Set(listed.filter((p) => !host.exists(join(repoRoot, p))));
  return { root, name, repoRoot, absentProjects, metadata, ioConfig, dotenv, pipelines, blockUses: blockUses(pipelines), problems };
}

/**
 * The project with one pipeline read again from its folder (after an edit of its metadata.yaml or
 * triggers.yaml), everything else kept: what an editor needs on each keystroke.
 */
export function reloadPipeline(project: Project, dir: string, host: ProjectHost = diskHost): Project {
  const loaded = loadPipeline(dir, { folders: { root: project.root, repoRoot: project.repoRoot }, host });
  const pipelines = new Map([...project.pipelines].filter(([, p]) => p.dir !== dir));
  if (loaded.pipeline) pipelines.set(loaded.pipeline.uuid, loaded.pipeline);
  const problems = [...project.problems.filter((p) => dirname(p.range.file) !== dir), ...loaded.problems];
  return { ...project, pipelines, blockUses: blockUses(pipelines), problems };
}

function projectName(metadata: YamlFile | undefined, root: string): string {
  const value = metadata?.value as Record<string, unknown> | null | undefined;
  const name = value && typeof value === 'object' ? (value.project_name ?? value.name) : undefined;
  return typeof name === 'string' && name ? name : basename(root);
}

function readYaml(path: string, host: ProjectHost, problems: Problem[]): YamlFile | undefined {
  const text = host.readFile(path);
  if (text === undefined) return undefined;
  const parsed = parseYamlFile(path, text);
  addProblems(problems, parsed.problems);
  return parsed.file;
}

function readIoConfigFile(path: string, host: ProjectHost, problems: Problem[]): IoConfig | undefined {
  const file = readYaml(path, host, problems);
  if (!file || file.doc.errors.length > 0) return undefined;
  addProblems(problems, validateSchema(file, 'ioConfig'));
  const loaded = readIoConfig(file);
  addProblems(problems, loaded.problems);
  return loaded.value;
}

function blockUses(pipelines: Map<string, Pipeline>): Map<string, BlockUse[]> {
  const uses = new Map<string, BlockUse[]>();
  for (const pipeline of pipelines.values()) {
    for (const block of pipeline.blocks) {
      // A path out of the project is never read (a problem says so).
      if (!block.file || block.fileOutside) continue;
      const list = uses.get(block.file) ?? [];
      list.push({ pipeline: pipeline.uuid, block: block.uuid });
      uses.set(block.file, list);
    }
  }
  return uses;
}

/** The folder above `root` whose settings.yaml lists `root` as one of its projects, if any. */
function findRepoRoot(root: string, host: ProjectHost): string | undefined {
  const parent = dirname(root);
  const projects = settingsProjects(parent, host);
  return projects?.includes(basename(root)) ? parent : undefined;
}

/** The projects a multi-project settings.yaml lists (`projects: {name: {...}}`), or undefined. */
export function settingsProjects(dir: string, host: ProjectHost = diskHost): string[] | undefined {
  const text = host.readFile(join(dir, 'settings.yaml'));
  if (text === undefined) return undefined;
  const { file } = parseYamlFile(join(dir, 'settings.yaml'), text);
  const projects = (file.value as Record<string, unknown> | null)?.projects;
  if (projects && typeof projects === 'object' && !Array.isArray(projects)) return Object.keys(projects);
  if (Array.isArray(projects)) return projects.map(String);
  return undefined;
}

/**
 * Loads every project at `dir`: the folder itself, or, for a multi-project root (a settings.yaml with
 * `projects:`), each listed project that exists. A listed project that is missing is a warning.
 */
export function loadWorkspace(dir: string, options: { host?: ProjectHost } = {}): { projects: Project[]; problems: Problem[] } {
  const host = options.host ?? diskHost;
  const root = resolve(dir);
  const listed = settingsProjects(root, host);
  if (!listed) return { projects: [loadProject(root, { host })], problems: [] };
  const problems: Problem[] = [];
  const projects: Project[] = [];
  const settings = parseYamlFile(join(root, 'settings.yaml'), host.readFile(join(root, 'settings.yaml')) ?? '').file;
  for (const name of listed) {
    const dirOf = join(root, name);
    if (!host.exists(dirOf)) {
      problems.push({
        code: 'missing-project',
        severity: 'warning',
        message: `Project "${name}" listed in settings.yaml has no folder here: blocks it shares are not checked`,
        range: keyRange(settings, ['projects', name]),
      });
      continue;
    }
    projects.push(loadProject(dirOf, { host, repoRoot: root }));
  }
  if (projects.length === 0 && listed.length === 0) projects.push(loadProject(root, { host }));
  return { projects, problems };
}

/** The project folder for a path: the nearest folder upwards holding io_config.yaml or a project metadata.yaml. */
export function findProjectRoot(start: string, host: ProjectHost = diskHost): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const isPipelineFolder = basename(dirname(dir)) === 'pipelines';
    if (host.exists(join(dir, 'io_config.yaml'))) return dir;
    if (!isPipelineFolder && (host.exists(join(dir, 'metadata.yaml')) || host.exists(join(dir, 'settings.yaml')))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** A problem for a path that is not a project at all. */
export function notAProject(dir: string): Problem {
  return {
    code: 'missing-project',
    severity: 'error',
    message: `No Pipewright project at ${dir}: a project has io_config.yaml or metadata.yaml and a pipelines/ folder; create one with "pipewright new project <name>"`,
    range: fileStart(dir),
  };
}
