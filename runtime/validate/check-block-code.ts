import { basename, dirname, join, relative } from 'node:path';
import { addProblems, type Problem, type SourceRange } from '../problem.js';
import { blockDirectory, LANGUAGE_EXTENSIONS } from '../project/block-kinds.js';
import type { ProjectHost } from '../project/host.js';
import type { Block, Pipeline, Project } from '../project/model.js';
import { envLookup, type EnvLookup } from '../project/profile-resolve.js';
import { SECRET_KEY } from '../project/secrets.js';
import { RUN_VARIABLES, SQL_LITERAL_FILTER } from '../template/names.js';
import { findTemplateExpressions } from '../template/template.js';
import { hasPath, valueRange } from '../yaml/yaml-file.js';
import { checkPythonArity } from './python-arity.js';

/** The block API wrapper for each block type (the default export of a TypeScript block). */
const WRAPPER_TYPES: Record<string, string> = {
  dataLoader: 'data_loader',
  transformer: 'transformer',
  dataExporter: 'data_exporter',
  custom: 'custom',
  sensor: 'sensor',
  condition: 'conditional',
  callback: 'callback',
};

/** Settings that must not hold a literal secret: the value belongs in .env, read with env_var. */
const SECRET_SETTINGS = /PASSWORD|SECRET|TOKEN|SERVICE_ACC_KEY$/i;

/** The 1-based range of `length` characters at `offset` of a text. */
function rangeAt(file: string, text: string, offset: number, length: number): SourceRange {
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const col = before[before.length - 1].length + 1;
  return { file, start: { line, col }, end: { line, col: col + length } };
}

/** Whether `offset` of a SQL text is SQL itself, or inside a '...' string or a -- comment. */
function sqlContext(text: string, offset: number): 'code' | 'string' | 'comment' {
  let quoted = false;
  for (let i = 0; i < offset; i++) {
    if (!quoted && text.startsWith('--', i)) {
      const eol = text.indexOf('\n', i);
      if (eol < 0 || eol >= offset) return 'comment';
      i = eol;
    } else if (text[i] === "'") quoted = !quoted;
  }
  return quoted ? 'string' : 'code';
}

/**
 * A pipeline or run variable put into SQL as bare text (`WHERE zone = {{ variables('zone') }}`): its
 * value becomes SQL, as in Mage, so a value such as `x'; DROP TABLE t; --` runs. A hint with the fix:
 * `| sql_literal` renders it as a quoted literal. Run variables Pipewright makes (ds, execution_date,
 * ...) and upstream tables are left alone, and so is an expression inside quotes or a comment.
 */
function rawVariables(file: string, text: string, block: Block): Problem[] {
  const problems: Problem[] = [];
  for (const expression of findTemplateExpressions(text).expressions) {
    const { parsed, filters, start, end } = expression;
    if (filters.length > 0) continue;
    const name = parsed.kind === 'call' && parsed.quoted && parsed.fn === 'variables' ? parsed.arg : parsed.kind === 'name' ? parsed.name : undefined;
    if (name === undefined || (parsed.kind === 'name' && (/^df_\d+$/.test(name) || block.upstream.includes(name) || name in RUN_VARIABLES))) continue;
    if (sqlContext(text, start) !== 'code') continue;
    const safe = `{{ ${expression.source} | ${SQL_LITERAL_FILTER} }}`;
    problems.push({
      code: 'raw-sql-variable',
      severity: 'hint',
      message: `{{ ${expression.source} }} puts the variable's value into the SQL as text, so a value can change the query: write ${safe} to pass it as a quoted value`,
      range: rangeAt(file, text, start, end - start),
      fix: { kind: 'sql-literal', text: safe },
    });
  }
  return problems;
}

/** Problems in one block's code file, against its entry in one pipeline. */
export function checkBlockSource(project: Project, pipeline: Pipeline, block: Block, text: string): Problem[] {
  const problems: Problem[] = [];
  const file = block.file!;
  const metadata = relative(project.root, pipeline.metadata.path);
  if (block.language === 'typescript') {
    const wrapper = /export\s+default\s+([A-Za-z]+)\s*\(/.exec(text);
    const wraps = wrapper && WRAPPER_TYPES[wrapper[1]];
    if (wrapper && wraps && wraps !== block.type) {
      const start = wrapper.index + wrapper[0].indexOf(wrapper[1]);
      const expected = Object.entries(WRAPPER_TYPES).find(([, type]) => type === block.type)?.[0];
      problems.push({
        code: 'block-type-mismatch',
        severity: 'warning',
        message: `Block "${block.uuid}" is a ${block.type} in ${metadata}, but this file exports ${wrapper[1]}(...): ${expected ? `use ${expected}(...)` : 'use the wrapper of its type'} or change the block's type`,
        range: rangeAt(file, text, start, wrapper[1].length),
      });
    }
  }
  if (block.language === 'python') addProblems(problems, checkPythonArity(file, text, block, { metadata, rangeAt: (offset, length) => rangeAt(file, text, offset, length) }));
  if (block.language === 'sql') {
    addProblems(problems, rawVariables(file, text, block));
    const count = block.upstream.length;
    for (const match of text.matchAll(/\{\{\s*df_(\d+)\s*\}\}/g)) {
      const index = Number(match[1]);
      if (index >= 1 && index <= count) continue;
      problems.push({
        code: 'unknown-upstream-df',
        severity: 'error',
        message: `{{ df_${index} }} names upstream block ${index}, but "${block.uuid}" has ${count === 0 ? 'no upstream blocks' : `${count} (${block.upstream.join(', ')})`} in ${metadata}: use df_1${count > 1 ? `…df_${count}` : ''} or add the upstream block`,
        range: rangeAt(file, text, match.index, match[0].length),
      });
    }
  }
  return problems;
}

/**
 * What the project's code files say beyond the YAML: each block file against its pipelines' entries
 * and the environment, block files no pipeline uses (a hint), and literal secrets in io_config.yaml.
 */
export function checkBlockCode(project: Project, host: ProjectHost, env: NodeJS.ProcessEnv = process.env): Problem[] {
  const problems: Problem[] = [];
  for (const file of project.blockUses.keys()) {
    const text = host.readFile(file);
    if (text !== undefined) addProblems(problems, checkBlockFile(project, file, text, env));
  }
  problems.push(...orphanBlockFiles(project, host), ...literalSecrets(project));
  return problems;
}

/**
 * Every problem of one block file's code: against each pipeline entry that uses it (a file shared by
 * pipelines reports a problem once), and the variables and profiles it reads.
 */
export function checkBlockFile(project: Project, file: string, text: string, env: NodeJS.ProcessEnv = process.env): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let language: string | undefined;
  for (const use of project.blockUses.get(file) ?? []) {
    const pipeline = project.pipelines.get(use.pipeline);
    const block = pipeline?.blocks.find((b) => b.uuid === use.block && b.file === file);
    if (!pipeline || !block) continue;
    language ??= block.language;
    for (const problem of checkBlockSource(project, pipeline, block, text)) {
      const key = `${problem.code}:${problem.range.start.line}:${problem.range.start.col}:${problem.message}`;
      if (!seen.has(key)) problems.push(problem);
      seen.add(key);
    }
  }
  if (language) addProblems(problems, checkReferences(project, file, text, language, env));
  return problems;
}

/** A profile named in block code: ctx.io.postgres('x'), ctx.config('x'), { profile: 'x' }, Mage's config_profile = 'x'. */
const PROFILE_REFERENCES: Record<string, RegExp> = {
  typescript: /(?:\.(?:postgres|gcs|bigquery|config)\(\s*|\bprofile\s*:\s*)(['"`])([^'"`\n$]+)\1/g,
  python: /\bconfig_profile\s*=\s*(['"])([^'"\n]+)\1/g,
};

/**
 * Environment variables read by block code, with the variable's name as group `name`: in TypeScript
 * `process.env.X` and `process.env['X']`, in Python (Mage's blocks) `os.getenv('X')`,
 * `os.environ['X']` and `os.environ.get('X')`. A read with a default or a test of the value is left
 * alone (`?? 'x'`, `|| 'x'`, `?.`, `if (process.env.DEBUG)`, `!process.env.X`, `=== '1'`,
 * `os.getenv('X', 'x')`), as is an assignment: unset is meant there.
 */
const ENV_READS: Record<string, RegExp> = {
  typescript:
    /(?<![\w$.])(?<guard>!\s*|typeof\s+|if\s*\(\s*)?process\.env(?:\.(?<name>[A-Za-z_$][\w$]*)|\[\s*(?<q>['"`])(?<quoted>[^'"`\n$]+)\k<q>\s*\])(?<after>\s*(?:\?|\|\||&&|[!=]==?|=(?!=)))?/g,
  python: /\bos\.(?:getenv|environ\.get)\(\s*(?<q>['"])(?<name>\w+)\k<q>\s*\)|\bos\.environ\[\s*(?<q2>['"])(?<quoted>\w+)\k<q2>\s*\](?<after>\s*=(?!=))?/g,
};

/** A variable that block code reads and nothing sets (`fix` says what else the user can do). */
function missingEnvVar(name: string, range: SourceRange, fix: string): Problem {
  return {
    code: 'missing-env-var',
    severity: 'warning',
    message: `Environment variable "${name}" is set nowhere here (not in the environment, .env or dev.env): set it, ${fix}`,
    range,
  };
}

/** Variables block code reads that are set nowhere: not in the environment, .env or dev.env. */
function checkEnvReads(file: string, text: string, language: string, lookup: EnvLookup): Problem[] {
  const pattern = ENV_READS[language];
  if (!pattern) return [];
  const problems: Problem[] = [];
  for (const match of text.matchAll(pattern)) {
    const groups = match.groups!;
    const name = groups.name ?? groups.quoted;
    if (groups.guard || groups.after || lookup(name) !== undefined) continue;
    const range = rangeAt(file, text, match.index + (groups.guard?.length ?? 0), match[0].length - (groups.guard?.length ?? 0));
    problems.push(missingEnvVar(name, range, `add it to the project's .env, or give a default${language === 'typescript' ? ` (process.env.${name} ?? '...')` : ''}`));
  }
  return problems;
}

/** `{{ env_var('X') }}` in SQL with X set nowhere, an unquoted env_var, and profiles io_config.yaml does not have. */
function checkReferences(project: Project, file: string, text: string, language: string, env: NodeJS.ProcessEnv): Problem[] {
  const lookup = envLookup(env, project.dotenv);
  const problems: Problem[] = checkEnvReads(file, text, language, lookup);
  if (language === 'sql') {
    for (const { parsed, start, end } of findTemplateExpressions(text).expressions) {
      if (parsed.kind !== 'call' || parsed.fn !== 'env_var') continue;
      if (!parsed.quoted) {
        problems.push({
          code: 'unquoted-env-var',
          severity: 'error',
          message: `env_var(${parsed.arg}) needs quotes around the variable name: write {{ env_var('${parsed.arg}') }}`,
          range: rangeAt(file, text, parsed.argStart, parsed.argEnd - parsed.argStart),
          fix: { kind: 'quote-env-var', name: parsed.arg },
        });
      } else if (lookup(parsed.arg) === undefined) {
        problems.push(missingEnvVar(parsed.arg, rangeAt(file, text, start, end - start), "or add it to the project's .env, before running this block"));
      }
    }
  }
  const profiles = project.ioConfig?.profiles;
  const pattern = PROFILE_REFERENCES[language];
  if (!profiles || !pattern) return problems;
  for (const match of text.matchAll(pattern)) {
    const name = match[2];
    if (profiles.has(name)) continue;
    const start = match.index + match[0].length - name.length - 1;
    problems.push({
      code: 'unknown-profile',
      severity: 'warning',
      message: `Profile "${name}" is not in io_config.yaml (profiles: ${[...profiles.keys()].join(', ') || 'none'}): add it there or use one of these`,
      range: rangeAt(file, text, start, name.length),
    });
  }
  return problems;
}

const BLOCK_FOLDER_TYPES = ['data_loader', 'transformer', 'data_exporter', 'custom', 'sensor', 'conditional', 'callback'];

/** Block files in the block folders that no pipeline uses: left over, or not added yet. */
function orphanBlockFiles(project: Project, host: ProjectHost): Problem[] {
  return BLOCK_FOLDER_TYPES.flatMap((type) => {
    const folder = join(project.root, blockDirectory(type)!);
    return host.listFiles(folder).flatMap((name) => orphanHint(project, join(folder, name)));
  });
}

/** A hint on a code file in a block folder that no block of any pipeline uses; none for other files. */
export function orphanHint(project: Project, path: string): Problem[] {
  const name = basename(path);
  const extensions = new Set(Object.values(LANGUAGE_EXTENSIONS));
  const inBlockFolder = BLOCK_FOLDER_TYPES.some((type) => dirname(path) === join(project.root, blockDirectory(type)!));
  if (!inBlockFolder || !extensions.has(name.split('.').pop() ?? '') || name.startsWith('.') || name === '__init__.py' || project.blockUses.has(path)) return [];
  return [
    {
      code: 'orphan-block-file',
      severity: 'hint',
      message: `${relative(project.root, path)} is the file of no block: add it to a pipeline (pipewright new block) or delete it`,
      range: { file: path, start: { line: 1, col: 1 }, end: { line: 1, col: 1 } },
    },
  ];
}

/** Passwords, keys and tokens written into io_config.yaml instead of read from the environment. */
export function literalSecrets(project: Project): Problem[] {
  const problems: Problem[] = [];
  for (const profile of project.ioConfig?.profiles.values() ?? []) {
    for (const [key, value] of Object.entries(profile.settings)) {
      if (!SECRET_SETTINGS.test(key) || !SECRET_KEY.test(key)) continue;
      if (typeof value !== 'string' || value.trim() === '' || value.includes('{{')) continue;
      // The variable takes the setting's name, unless the project's .env or dev.env already gives that
      // name another value; then the profile's name goes in front.
      const known = project.dotenv.get(key);
      const name = known === undefined || known === value ? key : `${profile.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${key}`;
      const file = project.ioConfig!.file;
      problems.push({
        code: 'literal-secret',
        severity: 'warning',
        message: `${key} of profile "${profile.name}" is written in io_config.yaml, which is usually committed: write {{ env_var('${name}') }} and put the value in the project's .env`,
        range: profile.keyRanges[key] ?? profile.range,
        ...(hasPath(file, [profile.name, key])
          ? {
              fix: {
                kind: 'env-var-secret' as const,
                name,
                value: known === value ? undefined : value,
                valueRange: valueRange(file, [profile.name, key]),
                envFile: join(project.root, '.env'),
              },
            }
          : {}),
      });
    }
  }
  return problems;
}
