import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Problem } from '../problem.js';
import { keyRange, valueRange, type YamlFile, type YamlPath } from '../yaml/yaml-file.js';
import { SCHEMAS, type SchemaKind } from './schemas.js';

let compiled: Map<SchemaKind, ValidateFunction> | undefined;

function validator(kind: SchemaKind): ValidateFunction {
  if (!compiled) {
    // strict: false because the schemas carry descriptions on $ref siblings, which draft-07 allows.
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });
    compiled = new Map(Object.entries(SCHEMAS).map(([k, schema]) => [k as SchemaKind, ajv.compile(schema)]));
  }
  return compiled.get(kind)!;
}

/** Checks a parsed YAML file against its schema; every violation points at the offending value. */
export function validateSchema(file: YamlFile, kind: SchemaKind): Problem[] {
  const validate = validator(kind);
  const { value, skipped } = checkedPart(file.value, kind);
  if (validate(value)) return [];
  const problems: Problem[] = [];
  if (skipped > 0) {
    problems.push({
      code: 'schema',
      severity: 'warning',
      message: `Only the first ${MAX_TOP_KEYS} of ${MAX_TOP_KEYS + skipped} top-level keys were checked: a file of this kind has a few`,
      range: keyRange(file, []),
    });
  }
  const seen = new Set<string>();
  for (const error of simplify(validate.errors ?? [])) {
    const path = pointerToPath(error.instancePath);
    const message = describe(error, path);
    const key = `${error.instancePath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const range = error.keyword === 'required' ? keyRange(file, path) : valueRange(file, path);
    problems.push({ code: 'schema', severity: 'error', message, range });
  }
  return problems;
}

/** The most top-level keys checked against a schema; real files have a few dozen. */
const MAX_TOP_KEYS = 2000;

/**
 * The part of a file's value checked against its schema: all of it, unless the top-level map has
 * more than 2,000 keys (ajv's checks grew faster than the keys: 100,000 stray keys in an
 * io_config.yaml took 32 s); then the first 2,000 and the keys the schema names.
 */
function checkedPart(value: unknown, kind: SchemaKind): { value: unknown; skipped: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { value, skipped: 0 };
  const keys = Object.keys(value);
  if (keys.length <= MAX_TOP_KEYS) return { value, skipped: 0 };
  const named = new Set(Object.keys((SCHEMAS[kind] as { properties?: Record<string, unknown> }).properties ?? {}));
  const kept = keys.filter((key, index) => index < MAX_TOP_KEYS || named.has(key));
  const record = value as Record<string, unknown>;
  return { value: Object.fromEntries(kept.map((key) => [key, record[key]])), skipped: keys.length - kept.length };
}

/** For a value that fails `type` in a union with `enum`, ajv reports both; keep the most useful one. */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const enumPaths = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  return errors.filter((e) => !(e.keyword === 'type' && enumPaths.has(e.instancePath)) && e.keyword !== 'if');
}

function pointerToPath(pointer: string): YamlPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function label(path: YamlPath): string {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  return last === undefined ? 'The file' : `"${last}"`;
}

function typeName(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value === 'string' ? 'text' : typeof value} ${JSON.stringify(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'empty',
};

/** A value as a message quotes it: JSON, cut to 80 characters. */
function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function describe(error: ErrorObject, path: YamlPath): string {
  const subject = label(path);
  switch (error.keyword) {
    case 'type': {
      const types = ([] as string[]).concat(error.params.type as string | string[]).filter((t) => t !== 'null');
      const words = [...new Set(types.map((t) => TYPE_WORDS[t] ?? t))].join(' or ');
      return `${subject} must be ${words}, not ${typeName(error.data)}`;
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).filter((v) => v !== null).join(', ');
      return `${subject} must be one of ${allowed}; got ${quoted(error.data)}`;
    }
    case 'required':
      return `Missing required key "${String(error.params.missingProperty)}"${path.length ? ` in ${subject}` : ''}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const bound = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' }[error.keyword];
      return `${subject} must be ${bound} ${String(error.params.limit)}; got ${quoted(error.data)}`;
    }
    case 'pattern':
      // The one pattern in our schemas is a number written as text (Mage writes timeout: '3600').
      return `${subject} must be a number of seconds, such as 3600; got ${quoted(error.data)}`;
    default:
      return `${subject} ${error.message ?? 'is invalid'}`;
  }
}
