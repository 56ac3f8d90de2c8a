import { EmbeddedPostgres, type PostgresSettings } from '../connectors/embedded-postgres.js';
import type { ProfileJson } from '../protocol.js';
import { postgresAdvice } from '../connectors/postgres-advice.js';
import { hasGoogleSettings } from '../connectors/google-settings.js';
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

/** One service checked with a profile: a line of what was reached, or advice. */
interface Check {
  service: string;
  run: () => Promise<string>;
  advise: (error: unknown) => string;
}

async function googleChecks(root: string, name: string, settings: Record<string, unknown>, bucket: string | undefined): Promise<Check[]> {
  const [{ googleAdvice, googleSettingsOf }, { GcsStore }, { RemoteBigQuery }, { openDuck }] = await Promise.all([
    import('../connectors/google-settings.js'),
    import('../connectors/object-store.js'),
    import('../connectors/bigquery.js'),
    import('../data/duck.js'),
  ]);
  let google: ReturnType<typeof googleSettingsOf>;
  try {
    google = googleSettingsOf(name, settings, root);
  } catch (error) {
    return [{ service: 'google', run: () => Promise.reject(error as Error), advise: (e) => (e as Error).message }];
  }
  const advise = (error: unknown) => googleAdvice(error, google);
  const store = new GcsStore(google);
  return [
    {
      service: 'gcs',
      advise,
      async run() {
        const storage = await store.storage();
        if (bucket) {
          const [files] = await storage.bucket(bucket).getFiles({ maxResults: 1, autoPaginate: false });
          return `gcs gs://${bucket} listed (${files.length > 0 ? 'has objects' : 'empty'})`;
        }
        const [buckets] = await storage.getBuckets({ maxResults: 5, autoPaginate: false });
        return `gcs project ${google.projectId ?? '(from credentials)'}: ${buckets.map((b) => b.name).join(', ') || 'no buckets'}`;
      },
    },
    {
      service: 'bigquery',
      advise,
      async run() {
        const warehouse = new RemoteBigQuery(google, () => openDuck({ threads: 1 }), root);
        await warehouse.dryRun('SELECT 1');
        return `bigquery dry run ok in ${google.location}`;
      },
    },
  ];
}

async function testProfiles(invocation: Invocation, root: string, names: string[]): Promise<number> {
  const project = loadProject(root);
  const config = project.ioConfig!;
  const bucket = typeof invocation.flags.bucket === 'string' ? invocation.flags.bucket : undefined;
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
    const checks: Check[] = [];
    if (embedded || settings.POSTGRES_HOST !== undefined) {
      let postgres: PostgresSettings | undefined;
      checks.push({
        service: 'postgres',
        async run() {
          postgres = embedded ? await embedded.ensure() : postgresSettingsOf(name, settings);
          const version = await testPostgres(postgres);
          return `postgres ${postgres.user}@${postgres.host}:${postgres.port}/${postgres.database}  ${version}${embedded ? ' (embedded)' : ''}`;
        },
        advise: (error) => (postgres ? postgresAdvice(error, postgres) : (error as Error).message),
      });
    }
    if (embedded) {
      const { embeddedPaths } = await import('../connectors/google-io.js');
      const paths = embeddedPaths(root);
      checks.push({ service: 'gcs', run: async () => `gcs local buckets in ${paths.buckets}`, advise: (e) => (e as Error).message });
      checks.push({ service: 'bigquery', run: async () => `bigquery local warehouse ${paths.warehouse}`, advise: (e) => (e as Error).message });
    } else if (hasGoogleSettings(settings)) {
      checks.push(...(await googleChecks(root, name, settings, bucket)));
    }
    if (checks.length === 0) invocation.out(`${name}: ${paint(invocation.color, 'dim', 'no PostgreSQL or Google settings to test')}`);
    try {
      for (const check of checks) {
        try {
          invocation.out(`${name}: ${paint(invocation.color, 'green', 'ok')}  ${await check.run()}`);
        } catch (error) {
          failed++;
          invocation.out(`${name}: ${paint(invocation.color, 'red', 'failed')}  ${check.service}: ${check.advise(error)}`);
        }
      }
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
  usage: 'pipewright profiles [--json]\n       pipewright profiles test [NAME ...] [--bucket BUCKET]',
  details:
    '"test" checks each profile (all when none is named): select 1 on PostgreSQL, a listing on Cloud Storage (the buckets, or --bucket), a dry-run query on BigQuery; with advice when one fails.',
  flags: {
    project: PROJECT_FLAG,
    json: { type: 'boolean', description: 'Print the profiles as JSON' },
    bucket: { type: 'string', value: 'BUCKET', description: "With test: list this bucket instead of the project's buckets" },
  },
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
      return {
        name,
        embedded: isEmbeddedProfile(resolved.value ?? {}),
        settings: masked(resolved.value ?? project.ioConfig!.profiles.get(name)!.settings),
        unset: unset.filter((v) => v !== undefined),
      } satisfies ProfileJson;
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
