import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { diskHost, type ProjectHost } from './host.js';

function readDotenv(path: string, host: ProjectHost): Map<string, string> {
  const text = host.readFile(path);
  return new Map(text === undefined ? [] : Object.entries(parseEnv(text)).map(([k, v]) => [k, v ?? '']));
}

/** The project's variables: its committed defaults (dev.env, as in the course's setup) under the user's own .env. */
export function readProjectEnv(root: string, host: ProjectHost = diskHost): Map<string, string> {
  return new Map([...readDotenv(join(root, 'dev.env'), host), ...readDotenv(join(root, '.env'), host)]);
}

/** What applyEnv put into an environment, so that a later call can take back what changed. */
const applied = new WeakMap<NodeJS.ProcessEnv, Map<string, string>>();

/**
 * Gives an environment (a block worker's process.env) the project's .env and dev.env variables
 * (read once by the run: readProjectEnv) it does not have, as env_var() reads them: the real
 * environment wins. Called again (the next block, the next run), it first takes back the values it
 * added, so an edited .env is seen.
 */
export function applyEnv(variables: Iterable<[string, string]>, target: NodeJS.ProcessEnv = process.env): void {
  const before = applied.get(target) ?? new Map<string, string>();
  for (const [name, value] of before) if (target[name] === value) delete target[name];
  const added = new Map<string, string>();
  for (const [name, value] of variables) {
    if (target[name] !== undefined) continue;
    target[name] = value;
    added.set(name, value);
  }
  applied.set(target, added);
}
