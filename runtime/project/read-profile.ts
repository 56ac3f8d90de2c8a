import { join, relative } from 'node:path';
import { formatProblem, type Problem } from '../problem.js';
import type { ProjectSettings } from '../protocol.js';
import { diskHost } from './host.js';
import { readIoConfig } from './io-config.js';
import { readProjectEnv } from './project-env.js';
import { envLookup, resolveProfile, unknownProfileMessage } from './profile-resolve.js';
import { keyRange, parseYamlFile } from '../yaml/yaml-file.js';

/**
 * Resolves a project's .env / dev.env and every profile of its io_config.yaml, once: what a run
 * gives its blocks. Nothing here throws; a profile that cannot be used says why when it is used.
 */
export function resolveProjectSettings(root: string, env: NodeJS.ProcessEnv = process.env): ProjectSettings {
  const dotenv = readProjectEnv(root);
  const settings: ProjectSettings = { env: Object.fromEntries(dotenv), profiles: {}, fileErrors: [] };
  const path = join(root, 'io_config.yaml');
  const text = diskHost.readFile(path);
  if (text === undefined) return settings;
  const format = (problems: Problem[]) => problems.map((p) => formatProblem(p, (f) => relative(root, f)));
  const parsed = parseYamlFile(path, text);
  const config = readIoConfig(parsed.file);
  settings.fileErrors = format([...parsed.problems, ...config.problems].filter((p) => p.severity === 'error'));
  const { line, col } = keyRange(config.value.file, []).start;
  settings.ioConfig = { known: [...config.value.profiles.keys()], where: `${relative(root, path)}:${line}:${col}` };
  for (const name of config.value.profiles.keys()) {
    const resolved = resolveProfile(config.value, name, envLookup(env, dotenv));
    settings.profiles[name] = resolved.value && resolved.problems.length === 0 ? { settings: resolved.value } : { error: format(resolved.problems).join('\n') };
  }
  return settings;
}

/** One profile's settings from resolved settings; any problem (no file, unknown profile, unset variable) is thrown as an error that names the file, line and fix. */
export function profileOf(settings: ProjectSettings, name: string): Record<string, unknown> {
  if (!settings.ioConfig) throw new Error(`Cannot use profile "${name}": the project has no io_config.yaml; create one with profiles such as default:`);
  const profile = Object.hasOwn(settings.profiles, name)
    ? settings.profiles[name]
    : { error: `${settings.ioConfig.where}: error: ${unknownProfileMessage(name, settings.ioConfig.known)}` };
  const errors = [...settings.fileErrors, ...('error' in profile ? [profile.error] : [])];
  if (errors.length > 0 || !('settings' in profile)) throw new Error(errors.join('\n'));
  return profile.settings;
}
