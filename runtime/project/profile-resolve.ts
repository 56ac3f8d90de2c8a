import type { Loaded, Problem } from '../problem.js';
import { renderTemplate } from '../template/template.js';
import type { IoConfig } from './io-config.js';
import { keyRange } from '../yaml/yaml-file.js';

/** Where variables come from: the process environment first, then the project's `.env`. */
export type EnvLookup = (name: string) => string | undefined;

/** Builds the lookup Pipewright uses: a variable set in the process wins over the project's `.env`. */
export function envLookup(processEnv: NodeJS.ProcessEnv, dotenv: Map<string, string>): EnvLookup {
  return (name) => processEnv[name] ?? dotenv.get(name);
}

/** What using a profile io_config.yaml does not have says. */
export function unknownProfileMessage(name: string, known: string[]): string {
  return `Cannot find profile "${name}" in io_config.yaml (profiles: ${known.join(', ') || 'none'}): add it or choose another with --profile`;
}

/**
 * Resolves one profile's settings with every template rendered. Unlike Mage, which renders a missing
 * variable as the string "None", a missing variable is an error naming it, the profile and the line.
 */
export function resolveProfile(config: IoConfig, name: string, env: EnvLookup): Loaded<Record<string, unknown> | undefined> {
  const profile = config.profiles.get(name);
  const problems: Problem[] = [];
  if (!profile) {
    problems.push({
      code: 'unknown-profile',
      severity: 'error',
      message: unknownProfileMessage(name, [...config.profiles.keys()]),
      range: keyRange(config.file, []),
    });
    return { value: undefined, problems };
  }
  for (const reference of profile.envReferences) {
    if (env(reference.name) !== undefined) continue;
    problems.push({
      code: 'missing-env-var',
      severity: 'error',
      message: `Environment variable "${reference.name}" is not set (profile "${name}", ${reference.key}): set it in the environment or in the project's .env`,
      range: reference.range,
    });
  }
  if (problems.length > 0) return { value: undefined, problems };
  const render = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return renderTemplate(value, (expression) => {
        const parsed = expression.parsed;
        if (parsed.kind === 'call' && parsed.fn === 'env_var' && parsed.quoted) return env(parsed.arg) ?? '';
        // Mage's other helpers (mage_secret_var, json_value, ...) need Mage's own stores; keep them verbatim.
        return `{{ ${expression.source} }}`;
      });
    }
    if (Array.isArray(value)) return value.map(render);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    }
    return value;
  };
  return { value: render(profile.settings) as Record<string, unknown>, problems };
}
