import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Loaded, Problem, SourceRange } from '../problem.js';
import { findTemplateExpressions, type TemplateExpression } from '../template/template.js';
import { keyRange, offsetRange, type YamlFile } from '../yaml/yaml-file.js';

/** One `{{ env_var('X') }}` reference in io_config.yaml. */
export interface EnvReference {
  name: string;
  profile: string;
  /** The key that holds it, as in `POSTGRES_PASSWORD`. */
  key: string;
  range: SourceRange;
}

/** A named set of connection settings (`default`, `dev`, ...). */
export interface Profile {
  name: string;
  /** The settings as written, flattened from the older nested format when needed. */
  settings: Record<string, unknown>;
  /** Where each setting's key is written, for errors about it. */
  keyRanges: Record<string, SourceRange>;
  range: SourceRange;
  envReferences: EnvReference[];
}

/** The parsed io_config.yaml of a project. */
export interface IoConfig {
  file: YamlFile;
  profiles: Map<string, Profile>;
}

// Mage's `ConfigFileLoader.KEY_MAP`: the older "verbose" format keeps settings in sub-maps per service.
const LEGACY_KEYS: Record<string, Record<string, string>> = {
  PostgreSQL: {
    database: 'POSTGRES_DBNAME',
    host: 'POSTGRES_HOST',
    password: 'POSTGRES_PASSWORD',
    port: 'POSTGRES_PORT',
    schema: 'POSTGRES_SCHEMA',
    user: 'POSTGRES_USER',
  },
  BigQuery: {
    credentials_mapping: 'GOOGLE_SERVICE_ACC_KEY',
    path_to_credentials: 'GOOGLE_SERVICE_ACC_KEY_FILEPATH',
    location: 'GOOGLE_LOCATION',
  },
};

/** Reads the profiles of a parsed io_config.yaml, with every env_var reference and where it is. */
export function readIoConfig(file: YamlFile): Loaded<IoConfig> {
  const problems: Problem[] = [];
  const profiles = new Map<string, Profile>();
  const root = file.value;
  if (root !== null && (typeof root !== 'object' || Array.isArray(root))) {
    problems.push({
      code: 'schema',
      severity: 'error',
      message: 'io_config.yaml must be a map of profiles (default:, dev:, ...)',
      range: keyRange(file, []),
    });
    return { value: { file, profiles }, problems };
  }
  for (const [name, raw] of Object.entries((root ?? {}) as Record<string, unknown>)) {
    if (name === 'version') continue;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({
        code: 'schema',
        severity: 'error',
        message: `Profile "${name}" must be a map of settings such as POSTGRES_HOST: ...`,
        range: keyRange(file, [name]),
      });
      continue;
    }
    const settings: Record<string, unknown> = {};
    const keyRanges: Record<string, SourceRange> = {};
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      const legacy = LEGACY_KEYS[key];
      if (legacy && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        problems.push({
          code: 'legacy-io-config',
          severity: 'warning',
          message: `"${key}:" is Mage's older nested format; it still loads, but flat keys (${Object.values(legacy).slice(0, 2).join(', ')}, ...) are what Mage writes now`,
          range: keyRange(file, [name, key]),
        });
        for (const [inner, innerValue] of Object.entries(value as Record<string, unknown>)) {
          const flat = legacy[inner] ?? inner;
          settings[flat] = innerValue;
          keyRanges[flat] = keyRange(file, [name, key, inner]);
        }
        continue;
      }
      settings[key] = value;
      keyRanges[key] = keyRange(file, [name, key]);
    }
    const envReferences = collectEnvReferences(file, name, problems);
    profiles.set(name, { name, settings, keyRanges, range: keyRange(file, [name]), envReferences });
  }
  return { value: { file, profiles }, problems };
}

/** Walks one profile's scalars for `{{ env_var(...) }}`; unquoted names are errors with the fix. */
function collectEnvReferences(file: YamlFile, profile: string, problems: Problem[]): EnvReference[] {
  const found: EnvReference[] = [];
  const profileNode = isMap(file.doc.contents) ? [...file.doc.contents.items].reverse().find((p) => isScalar(p.key) && String(p.key.value) === profile) : undefined;
  const visit = (node: unknown, key: string): void => {
    if (isMap(node)) {
      for (const pair of node.items) visit(pair.value, isScalar(pair.key) ? String(pair.key.value) : key);
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item, key);
    } else if (isScalar(node) && typeof node.value === 'string' && node.range) {
      for (const expression of scalarExpressions(file, node)) {
        const reference = envReference(file, expression, { profile, key, problems });
        if (reference) found.push(reference);
      }
    }
  };
  visit(profileNode?.value, profile);
  return found;
}

/** The template expressions of a scalar, with offsets into the file (read from its source text). */
function scalarExpressions(file: YamlFile, node: Node): TemplateExpression[] {
  const [start, end] = node.range ?? [0, 0];
  return findTemplateExpressions(file.text.slice(start, end)).expressions.map((e) => ({
    ...e,
    start: e.start + start,
    end: e.end + start,
    sourceStart: e.sourceStart + start,
    parsed: e.parsed.kind === 'call' ? { ...e.parsed, argStart: e.parsed.argStart + start, argEnd: e.parsed.argEnd + start } : e.parsed,
  }));
}

function envReference(file: YamlFile, expression: TemplateExpression, options: { profile: string; key: string; problems: Problem[] }): EnvReference | undefined {
  const { parsed } = expression;
  if (parsed.kind !== 'call' || parsed.fn !== 'env_var') return undefined;
  const range = offsetRange(file.path, file.lines, expression.start, expression.end);
  if (!parsed.quoted) {
    options.problems.push({
      code: 'unquoted-env-var',
      severity: 'error',
      message: `env_var(${parsed.arg}) needs quotes around the variable name: write {{ env_var('${parsed.arg}') }}`,
      range: offsetRange(file.path, file.lines, parsed.argStart, parsed.argEnd),
      fix: { kind: 'quote-env-var', name: parsed.arg },
    });
    return undefined;
  }
  return { name: parsed.arg, profile: options.profile, key: options.key, range };
}
