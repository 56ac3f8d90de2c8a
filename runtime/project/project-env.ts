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
