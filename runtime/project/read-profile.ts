import { join, relative } from 'node:path';
import { formatProblem } from '../problem.js';
import { diskHost } from './host.js';
import { readIoConfig } from './io-config.js';
import { readProjectEnv } from './project-env.js';
import { envLookup, resolveProfile } from './profile-resolve.js';
import { parseYamlFile } from '../yaml/yaml-file.js';

/**
 * Resolves one profile of a project's io_config.yaml for a run; any problem (no file, unknown
 * profile, unset variable) is thrown as an error that names the file, line and fix.
 */
export function readProfile(root: string, name: string, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const path = join(root, 'io_config.yaml');
  const text = diskHost.readFile(path);
  if (text === undefined) throw new Error(`Cannot use profile "${name}": the project has no io_config.yaml; create one with profiles such as default:`);
  const parsed = parseYamlFile(path, text);
  const config = readIoConfig(parsed.file);
  const problems = [...parsed.problems, ...config.problems].filter((p) => p.severity === 'error');
  const resolved = resolveProfile(config.value, name, envLookup(env, readProjectEnv(root)));
  problems.push(...resolved.problems);
  if (problems.length > 0 || !resolved.value) {
    throw new Error(problems.map((p) => formatProblem(p, (f) => relative(root, f))).join('\n'));
  }
  return resolved.value;
}
