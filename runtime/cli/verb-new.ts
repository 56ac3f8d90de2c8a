import { basename, relative, resolve } from 'node:path';
import { isBlockLanguage, type BlockLanguage } from '../project/block-kinds.js';
import { addBlock } from '../scaffold/add-block.js';
import { TEMPLATE_LANGUAGES, TEMPLATE_TYPES, type TemplateType } from '../scaffold/block-templates.js';
import { newPipeline } from '../scaffold/new-pipeline.js';
import { newProject } from '../scaffold/new-project.js';
import { PROJECT_FLAG, type Invocation, type Verb } from './command.js';
import { noProject, projectDir } from './project-arg.js';

/** `pipewright new project|pipeline|block`: files from templates that validate cleanly. */
export const newVerb: Verb = {
  name: 'new',
  summary: 'Create a project, a pipeline or a block from a template.',
  usage:
    'pipewright new project <NAME>\n' +
    '       pipewright new pipeline <NAME> [--description TEXT]\n' +
    '       pipewright new block <PIPELINE> <NAME> --type TYPE [--language typescript|sql] [--upstream UUID ...]',
  details: `Block types: ${TEMPLATE_TYPES.join(', ')}. A block's file goes where Mage looks for it\n(data_loaders/, transformers/, data_exporters/, custom/, sensors/) and its entry into the pipeline's metadata.yaml.`,
  flags: {
    project: PROJECT_FLAG,
    type: { type: 'string', value: 'TYPE', description: `Block type: ${TEMPLATE_TYPES.join(', ')}` },
    language: { type: 'string', value: 'LANG', description: 'Block language: typescript (default) or sql' },
    upstream: { type: 'string', value: 'UUID', multiple: true, description: 'An upstream block (repeat for several, in argument order)' },
    description: { type: 'string', value: 'TEXT', description: "The pipeline's description" },
  },
  run(invocation) {
    const [what, ...rest] = invocation.positionals;
    try {
      if (what === 'project') return createProject(invocation, rest);
      if (what === 'pipeline') return createPipeline(invocation, rest);
      if (what === 'block') return createBlock(invocation, rest);
    } catch (error) {
      invocation.err(`error: ${(error as Error).message}`);
      return 1;
    }
    invocation.err(`error: Say what to create: pipewright new project|pipeline|block ...${what ? ` ("${what}" is none of these)` : ''}`);
    return 2;
  },
};

function createProject(invocation: Invocation, [name]: string[]): number {
  if (!name) {
    invocation.err('error: Name the project: pipewright new project <NAME>');
    return 2;
  }
  const dir = resolve(invocation.cwd, name);
  newProject(dir, { name: basename(dir) });
  invocation.out(`Created project ${relative(invocation.cwd, dir) || '.'}`);
  invocation.out(`Next: cd ${name} && pipewright new pipeline my_pipeline`);
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
    invocation.err(`error: Pipewright writes blocks in ${TEMPLATE_LANGUAGES.join(' or ')}, not "${language}": --language typescript|sql`);
    return 2;
  }
  const upstream = (invocation.flags.upstream as string[] | undefined) ?? [];
  const result = addBlock(root, { pipeline, name, type: type as TemplateType, language: language as BlockLanguage, upstream });
  const file = relative(invocation.cwd, result.file);
  invocation.out(`Added block ${result.uuid} to ${pipeline}: ${file}${result.created ? '' : ' (existing file, now shared)'}`);
  return 0;
}
