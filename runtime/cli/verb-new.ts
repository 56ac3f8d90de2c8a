import { basename, relative, resolve } from 'node:path';
import { isBlockLanguage, type BlockLanguage } from '../project/block-kinds.js';
import { addBlock } from '../scaffold/add-block.js';
import { TEMPLATE_LANGUAGES, TEMPLATE_TYPES, type TemplateType } from '../scaffold/block-templates.js';
import { newPipeline } from '../scaffold/new-pipeline.js';
import { newProject } from '../scaffold/new-project.js';
import { addDevContainer, DEV_PROFILE, POSTGRES_SERVICE } from '../scaffold/dev-container.js';
import { PROJECT_FLAG, type Invocation, type Verb } from './command.js';
import { noProject, projectDir } from './project-arg.js';
import type { NewBlockJson } from '../protocol.js';

/** `pipewright new project|pipeline|block`: files from templates that validate cleanly. */
export const newVerb: Verb = {
  name: 'new',
  summary: 'Create a project, a pipeline, a block or a dev container from a template.',
  usage:
    'pipewright new project <NAME> [--devcontainer]\n' +
    '       pipewright new devcontainer\n' +
    '       pipewright new pipeline <NAME> [--description TEXT]\n' +
    '       pipewright new block <PIPELINE> <NAME> --type TYPE [--language typescript|sql|python] [--upstream UUID ...] [--dynamic] [--reduce-output] [--json]',
  details: `Block types: ${TEMPLATE_TYPES.join(', ')}. A block's file goes where Mage looks for it\n(data_loaders/, transformers/, data_exporters/, custom/, sensors/, conditionals/, callbacks/) and its entry into\nthe pipeline's metadata.yaml. A conditional or callback is attached to the blocks given with --upstream.\nA dev container is .devcontainer/ (devcontainer.json, Dockerfile) and docker-compose.yml with PostgreSQL\nand a headless scheduler (docker compose --profile scheduler up -d).`,
  flags: {
    project: PROJECT_FLAG,
    type: { type: 'string', value: 'TYPE', description: `Block type: ${TEMPLATE_TYPES.join(', ')}` },
    language: { type: 'string', value: 'LANG', description: "Block language: typescript (default), sql or python (Mage's shape)" },
    upstream: { type: 'string', value: 'UUID', multiple: true, description: 'An upstream block (repeat for several, in argument order)' },
    dynamic: { type: 'boolean', description: 'A dynamic block: each item of the list it returns runs the downstream blocks once' },
    'reduce-output': { type: 'boolean', description: "On a block downstream of a dynamic one: gather its runs' outputs into one list" },
    description: { type: 'string', value: 'TEXT', description: "The pipeline's description" },
    devcontainer: { type: 'boolean', description: 'With a dev container: .devcontainer/ and docker-compose.yml with PostgreSQL' },
    json: { type: 'boolean', description: 'With new block: print the block added (uuid, file) as JSON' },
  },
  run(invocation) {
    const [what, ...rest] = invocation.positionals;
    try {
      if (what === 'project') return createProject(invocation, rest);
      if (what === 'pipeline') return createPipeline(invocation, rest);
      if (what === 'block') return createBlock(invocation, rest);
      if (what === 'devcontainer') return createDevContainer(invocation);
    } catch (error) {
      invocation.err(`error: ${(error as Error).message}`);
      return 1;
    }
    invocation.err(`error: Say what to create: pipewright new project|pipeline|block|devcontainer ...${what ? ` ("${what}" is none of these)` : ''}`);
    return 2;
  },
};

function createProject(invocation: Invocation, [name]: string[]): number {
  if (!name) {
    invocation.err('error: Name the project: pipewright new project <NAME>');
    return 2;
  }
  const dir = resolve(invocation.cwd, name);
  const devcontainer = Boolean(invocation.flags.devcontainer);
  newProject(dir, { name: basename(dir), devcontainer });
  invocation.out(`Created project ${relative(invocation.cwd, dir) || '.'}${devcontainer ? ' with a dev container' : ''}`);
  if (devcontainer) invocation.out(`Next: open ${name} in VS Code and run "Dev Containers: Reopen in Container"`);
  else invocation.out(`Next: cd ${name} && pipewright new pipeline my_pipeline`);
  return 0;
}

function createDevContainer(invocation: Invocation): number {
  const root = projectDir(invocation);
  if (!root) return noProject(invocation);
  const result = addDevContainer(root);
  for (const file of result.created) invocation.out(`Created ${relative(invocation.cwd, file)}`);
  for (const file of result.appended) invocation.out(`Added to ${relative(invocation.cwd, file)}`);
  invocation.out(`The project is mounted at ${result.workspaceFolder}; its runs use the ${DEV_PROFILE} profile, whose PostgreSQL is the compose service "${POSTGRES_SERVICE}".`);
  invocation.out('Next: "Dev Containers: Reopen in Container" in VS Code, or: docker compose --profile scheduler up -d (triggers without an editor)');
  return 0;
}

function createPipeline(invocation: Invocation, [name]: string[]): number {
  const root = projectDir(invocation);
  if (!root) return noProject(invocation);
  if (!name) {
    invocation.err('error: Name the pipeline: pipewright new pipeline <NAME>');
    return 2;
  }
  const { uuid, files } = newPipeline(root, { name, description: invocation.flags.description as string | undefined });
  invocation.out(`Created pipeline ${uuid}: ${relative(invocation.cwd, files[0])}`);
  return 0;
}

function createBlock(invocation: Invocation, [pipeline, name]: string[]): number {
  const root = projectDir(invocation);
  if (!root) return noProject(invocation);
  if (!pipeline || !name) {
    invocation.err('error: Name the pipeline and the block: pipewright new block <PIPELINE> <NAME> --type TYPE');
    return 2;
  }
  const type = invocation.flags.type as string | undefined;
  if (!type || !(TEMPLATE_TYPES as readonly string[]).includes(type)) {
    invocation.err(`error: ${type ? `Unknown block type "${type}"` : 'Give the block a type'}: --type ${TEMPLATE_TYPES.join('|')}`);
    return 2;
  }
  const language = (invocation.flags.language as string | undefined) ?? 'typescript';
  if (!isBlockLanguage(language) || !TEMPLATE_LANGUAGES.includes(language)) {
    invocation.err(`error: Pipewright writes blocks in ${TEMPLATE_LANGUAGES.join(' or ')}, not "${language}": --language typescript|sql|python`);
    return 2;
  }
  const upstream = (invocation.flags.upstream as string[] | undefined) ?? [];
  const result = addBlock(root, {
    pipeline,
    name,
    type: type as TemplateType,
    language: language as BlockLanguage,
    upstream,
    dynamic: invocation.flags.dynamic === true,
    reduceOutput: invocation.flags['reduce-output'] === true,
  });
  if (invocation.flags.json) {
    invocation.out(JSON.stringify({ block: result.uuid, pipeline, file: relative(root, result.file), shared: !result.created } satisfies NewBlockJson));
    return 0;
  }
  const file = relative(invocation.cwd, result.file);
  invocation.out(`Added block ${result.uuid} to ${pipeline}: ${file}${result.created ? '' : ' (existing file, now shared)'}`);
  return 0;
}
