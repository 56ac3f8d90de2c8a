import { EmbeddedPostgres, type PostgresSettings } from '../connectors/embedded-postgres.js';
import { postgresAdvice } from '../connectors/postgres-advice.js';
import { isEmbeddedProfile, postgresSettingsOf } from '../connectors/postgres-settings.js';
import { loadProject } from '../project/load-project.js';
import { envLookup, resolveProfile } from '../project/profile-resolve.js';
import { SECRET_KEY } from '../project/secrets.js';
import { PROJECT_FLAG, type Invocation, type Verb } from './command.js';
import { paint, problemLine } from './output.js';
import { noProject, projectDir } from './project-arg.js';


/** A setting as shown: secrets masked (but whether they are set is shown). */
function shown(key: string, value: unknown): unknown {
  if (!SECRET_KEY.test(key) || value === null || value === undefined || value === '') return value;
  return '••••••';
}

function masked(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, shown(k, v)]));
}

async function testPostgres(settings: PostgresSettings): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ ...settings, connectionTimeoutMillis: settings.connectTimeoutSeconds * 1000 });
  try {
    await client.connect();
    const { rows } = await client.query('SELECT 1 AS ok, version() AS version');
    return String(rows[0].version).split(',')[0];
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function testProfiles(invocation: Invocation, root: string, names: string[]): Promise<number> {
  const project = loadProject(root);
  const config = project.ioConfig!;
  let failed = 0;
  for (const name of names) {
    const resolved = resolveProfile(config, name, envLookup(process.env, project.dotenv));
    if (!resolved.value) {
      for (const problem of resolved.problems) invocation.out(problemLine(problem, invocation));
      failed++;
      continue;
    }
    const settings = resolved.value;
    const embedded = isEmbeddedProfile(settings) ? new EmbeddedPostgres(root) : undefined;
    if (!embedded && settings.POSTGRES_HOST === undefined) {
      invocation.out(`${name}: ${paint(invocation.color, 'dim', 'no PostgreSQL settings (GCS and BigQuery checks come with those connectors)')}`);
      continue;
    }
    let postgres: PostgresSettings | undefined;
    try {
      postgres = embedded ? await embedded.ensure() : postgresSettingsOf(name, settings);
      const version = await testPostgres(postgres);
      invocation.out(`${name}: ${paint(invocation.color, 'green', 'ok')}  postgres ${postgres.user}@${postgres.host}:${postgres.port}/${postgres.database}  ${version}${embedded ? ' (embedded)' : ''}`);
    } catch (error) {
      failed++;
      const advice = postgres ? postgresAdvice(error, postgres) : (error as Error).message;
      invocation.out(`${name}: ${paint(invocation.color, 'red', 'failed')}  ${advice}`);
    } finally {
      await embedded?.stop();
    }
  }
  return failed > 0 ? 1 : 0;
}

/** `pipewright profiles`: the profiles of io_config.yaml, resolved, secrets masked; `test` connects. */
export const profilesVerb: Verb = {
  name: 'profiles',
  summary: 'List the io_config.yaml profiles with their resolved settings (secrets masked), or test them.',
  usage: 'pipewright profiles [--json]\n       pipewright profiles test [NAME ...]',
  details: '"test" connects with each profile (all when none is named) and runs select 1, with advice when it fails.',
  flags: { project: PROJECT_FLAG, json: { type: 'boolean', description: 'Print the profiles as JSON' } },
  async run(invocation) {
    const root = projectDir(invocation);
    if (!root) return noProject(invocation);
    const project = loadProject(root);
    if (!project.ioConfig) {
      invocation.err(`error: ${root} has no io_config.yaml: create one with a default: profile`);
      return 1;
    }
    const names = [...project.ioConfig.profiles.keys()];
    const [action, ...rest] = invocation.positionals;
    if (action === 'test') {
      const unknown = rest.filter((n) => !names.includes(n));
      if (unknown.length > 0) {
        invocation.err(`error: Unknown profile ${unknown.map((n) => `"${n}"`).join(', ')} (profiles: ${names.join(', ')})`);
        return 2;
      }
      return testProfiles(invocation, root, rest.length > 0 ? rest : names);
    }
    if (action !== undefined) {
      invocation.err(`error: Unknown action "${action}": pipewright profiles [test [NAME ...]]`);
      return 2;
    }
    const env = envLookup(process.env, project.dotenv);
    const listed = names.map((name) => {
      const resolved = resolveProfile(project.ioConfig!, name, env);
      const unset = resolved.problems.filter((p) => p.code === 'missing-env-var').map((p) => /"([^"]+)"/.exec(p.message)?.[1]);
      return { name, embedded: isEmbeddedProfile(resolved.value ?? {}), settings: masked(resolved.value ?? project.ioConfig!.profiles.get(name)!.settings), unset };
    });
    if (invocation.flags.json) {
      invocation.out(JSON.stringify(listed, null, 2));
      return 0;
    }
    for (const profile of listed) {
      invocation.out(paint(invocation.color, 'bold', `${profile.name}${profile.embedded ? ' (embedded PostgreSQL, local bucket and warehouse)' : ''}`));
      for (const [key, value] of Object.entries(profile.settings)) invocation.out(`  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
      if (profile.unset.length > 0) invocation.out(paint(invocation.color, 'yellow', `  unset here: ${profile.unset.join(', ')}`));
    }
    return 0;
  },
};
