import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readIoConfig } from '../../../runtime/project/io-config.ts';
import { envLookup, resolveProfile } from '../../../runtime/project/profile-resolve.ts';
import { parseYamlFile } from '../../../runtime/yaml/yaml-file.ts';
import { lines } from '../../helpers/project-tree.ts';

function config(text: string) {
  const { file } = parseYamlFile('/p/io_config.yaml', text);
  return readIoConfig(file);
}

const DEV = lines(
  'version: 0.1.1',
  'dev:',
  '  POSTGRES_USER: "{{ env_var(\'PG_USER\') }}"',
  '  POSTGRES_PASSWORD: "{{ env_var(\'PG_PASSWORD\') }}"',
  '  POSTGRES_PORT: 5432',
  "  POSTGRES_HOST: db-{{ env_var('PG_HOST') }}.internal",
);

test('profiles resolve env_var from the process first, then the project .env', () => {
  const { value } = config(DEV);
  const env = envLookup(
    { PG_USER: 'from-process' },
    new Map([
      ['PG_USER', 'from-dotenv'],
      ['PG_PASSWORD', 's3cret'],
      ['PG_HOST', 'one'],
    ]),
  );
  const resolved = resolveProfile(value, 'dev', env);
  assert.deepEqual(resolved.problems, []);
  assert.deepEqual(resolved.value, { POSTGRES_USER: 'from-process', POSTGRES_PASSWORD: 's3cret', POSTGRES_PORT: 5432, POSTGRES_HOST: 'db-one.internal' });
});

test('resolving a profile with an unset variable is an error naming it, the profile and the line', () => {
  const { value } = config(DEV);
  const resolved = resolveProfile(value, 'dev', envLookup({ PG_USER: 'u', PG_HOST: 'h' }, new Map()));
  assert.equal(resolved.value, undefined);
  assert.equal(resolved.problems.length, 1);
  const [problem] = resolved.problems;
  assert.equal(problem.code, 'missing-env-var');
  assert.equal(problem.severity, 'error');
  assert.deepEqual([problem.range.start.line, problem.range.start.col], [4, 23]);
  assert.match(problem.message, /"PG_PASSWORD"/);
  assert.match(problem.message, /profile "dev"/);
});

test('an unknown profile names the profiles there are', () => {
  const resolved = resolveProfile(config(DEV).value, 'prod', () => undefined);
  assert.equal(resolved.problems[0].code, 'unknown-profile');
  assert.match(resolved.problems[0].message, /profiles: dev/);
});

test('env_var without quotes is an error with the fix, and no reference', () => {
  const loaded = config(lines('dev:', '  POSTGRES_USER: "{{ env_var(PG_USER) }}"'));
  assert.deepEqual(loaded.value.profiles.get('dev')!.envReferences, []);
  assert.equal(loaded.problems[0].code, 'unquoted-env-var');
  assert.match(loaded.problems[0].message, /\{\{ env_var\('PG_USER'\) \}\}/);
});

test("Mage's older nested format still loads, flattened to today's keys, with a warning", () => {
  const loaded = config(lines('default:', '  PostgreSQL:', '    database: taxi', '    host: localhost', '    port: 5432', '  BigQuery:', '    path_to_credentials: /keys/sa.json'));
  const settings = loaded.value.profiles.get('default')!.settings;
  assert.deepEqual(settings, { POSTGRES_DBNAME: 'taxi', POSTGRES_HOST: 'localhost', POSTGRES_PORT: 5432, GOOGLE_SERVICE_ACC_KEY_FILEPATH: '/keys/sa.json' });
  assert.deepEqual(
    loaded.problems.map((p) => [p.code, p.severity, p.range.start.line]),
    [
      ['legacy-io-config', 'warning', 2],
      ['legacy-io-config', 'warning', 6],
    ],
  );
});

test('env references are found in nested maps and lists, such as an inline service-account key', () => {
  const loaded = config(lines('prod:', '  GOOGLE_SERVICE_ACC_KEY:', '    private_key: "{{ env_var(\'GCP_KEY\') }}"', '    scopes:', '    - "{{ env_var(\'GCP_SCOPE\') }}"'));
  assert.deepEqual(
    loaded.value.profiles.get('prod')!.envReferences.map((r) => [r.name, r.range.start.line]),
    [
      ['GCP_KEY', 3],
      ['GCP_SCOPE', 5],
    ],
  );
});
