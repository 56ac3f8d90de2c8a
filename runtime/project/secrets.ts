import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { postgresDir } from '../layout.js';
import type { Project } from './model.js';
import { envLookup, resolveProfile } from './profile-resolve.js';

/** Settings whose values are secrets: never shown, never logged. */
export const SECRET_KEY = /PASSWORD|SECRET|TOKEN|PRIVATE|_KEY$|ACC_KEY|CREDENTIALS/i;

/** Shorter values are not masked: a secret that short would also match ordinary words. */
const MIN_SECRET_LENGTH = 6;

function collect(value: unknown, secret: boolean, into: Set<string>): void {
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    if (secret && text.length >= MIN_SECRET_LENGTH) into.add(text);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, secret, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) collect(inner, secret || SECRET_KEY.test(key), into);
  }
}

/**
 * Every secret value a project's runs may see: resolved profile secrets, the project's .env and
 * dev.env variables named like secrets (blocks read them as process.env), and the embedded server's password.
 */
export function projectSecrets(project: Project, env: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set<string>();
  const lookup = envLookup(env, project.dotenv);
  for (const name of project.ioConfig?.profiles.keys() ?? []) {
    const resolved = resolveProfile(project.ioConfig!, name, lookup);
    if (resolved.value) collect(resolved.value, false, values);
  }
  for (const [name, value] of project.dotenv) collect(value, SECRET_KEY.test(name), values);
  const credentials = join(postgresDir(project.root), 'credentials.json');
  // Its password only: the user name ("postgres") is no secret, and masking it hid "PostgreSQL".
  if (existsSync(credentials)) collect((JSON.parse(readFileSync(credentials, 'utf8')) as { password?: string }).password, true, values);
  return [...values].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every secret in a text with ******, in any letter case: PostgreSQL folds an unquoted
 * name to lower case, so a password used by mistake as a column came back lower-cased in its error.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  if (secrets.length === 0) return (text) => text;
  // Longest first, so a secret that contains another is masked whole.
  const pattern = new RegExp(
    [...secrets]
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'gi',
  );
  return (text) => text.replace(pattern, '******');
}
