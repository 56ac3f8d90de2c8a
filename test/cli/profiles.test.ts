import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { test } from 'node:test';
import { startFakeBigQuery } from '../google/fake-bigquery.ts';
import { startFakeGcs } from '../google/fake-gcs.ts';
import { pipewright, pipewrightAsync } from '../helpers/cli.ts';
import { lines, writeTree } from '../helpers/project-tree.ts';

const IO_CONFIG = lines(
  'version: 0.1.1',
  'default:',
  '  PIPEWRIGHT_EMBEDDED: true',
  'dev:',
  '  POSTGRES_HOST: "{{ env_var(\'PW_TEST_HOST\') }}"',
  '  POSTGRES_PORT: 1',
  '  POSTGRES_USER: root',
  '  POSTGRES_PASSWORD: "{{ env_var(\'PW_TEST_PASSWORD\') }}"',
  '  POSTGRES_DBNAME: ny_taxi',
  'cloud:',
  '  GOOGLE_SERVICE_ACC_KEY_FILEPATH: "{{ env_var(\'PW_TEST_UNSET_KEY\') }}"',
);

test('profiles lists resolved settings with secrets masked, and what is unset', (t) => {
  const root = writeTree(t, { 'io_config.yaml': IO_CONFIG, '.env': 'PW_TEST_HOST=db.local\nPW_TEST_PASSWORD=hunter2\n' });
  const { code, stdout } = pipewright(['profiles'], { cwd: root });
  assert.equal(code, 0);
  assert.match(stdout, /^default \(embedded PostgreSQL/m);
  assert.match(stdout, / {2}POSTGRES_HOST: db\.local/);
  assert.match(stdout, / {2}POSTGRES_PASSWORD: ••••••/);
  assert.doesNotMatch(stdout, /hunter2/);
  assert.match(stdout, /unset here: PW_TEST_UNSET_KEY/);
  const json = JSON.parse(pipewright(['profiles', '--json'], { cwd: root }).stdout);
  assert.deepEqual(
    json.map((p: { name: string }) => p.name),
    ['default', 'dev', 'cloud'],
  );
  assert.equal(json[1].settings.POSTGRES_PASSWORD, '••••••');
});

test('profiles test connects with each profile and turns failures into advice', async (t) => {
  const root = writeTree(t, { 'io_config.yaml': IO_CONFIG, '.env': 'PW_TEST_HOST=127.0.0.1\nPW_TEST_PASSWORD=x\n' });
  chmodSync(root, 0o755);
  const ok = await pipewrightAsync(['profiles', 'test', 'default'], { cwd: root });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^default: ok {2}postgres postgres@127\.0\.0\.1:\d+\/postgres {2}PostgreSQL 18/m);
  const refused = await pipewrightAsync(['profiles', 'test', 'dev'], { cwd: root });
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /dev: failed {2}postgres: Nothing listens on 127\.0\.0\.1:1: start PostgreSQL/);
  const unknown = pipewright(['profiles', 'test', 'prod'], { cwd: root });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown profile "prod" \(profiles: default, dev, cloud\)/);
});

test('profiles test lists Cloud Storage and dry-runs BigQuery, and names the role a refused call needs', async (t) => {
  const gcs = await startFakeGcs({ buckets: ['lake'] });
  t.after(() => gcs.close());
  const bigquery = await startFakeBigQuery({ gcsEndpoint: gcs.endpoint });
  t.after(() => bigquery.close());
  const root = writeTree(t, {
    'io_config.yaml': lines('gcp:', '  GOOGLE_PROJECT_ID: p', `  GOOGLE_STORAGE_API_ENDPOINT: ${gcs.endpoint}`, `  GOOGLE_BIGQUERY_API_ENDPOINT: ${bigquery.endpoint}`),
  });
  const env = { ...process.env, METADATA_SERVER_DETECTION: 'none' };
  const ok = await pipewrightAsync(['profiles', 'test', 'gcp'], { cwd: root, env });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^gcp: ok {2}gcs project p: lake$/m);
  assert.match(ok.stdout, /^gcp: ok {2}bigquery dry run ok in US$/m);
  assert.ok(bigquery.requests.includes('POST /bigquery/v2/projects/p/jobs'), 'the dry run reached the server');

  gcs.denied.add('storage.objects.list');
  bigquery.denied.add('bigquery.jobs.create');
  const refused = await pipewrightAsync(['profiles', 'test', 'gcp', '--bucket', 'lake'], { cwd: root, env });
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /gcp: failed {2}gcs: .*storage\.objects\.list[^]*grant it roles\/storage\.objectViewer in IAM/);
  assert.match(refused.stdout, /gcp: failed {2}bigquery: .*bigquery\.jobs\.create[^]*grant it roles\/bigquery\.jobUser in IAM .* on project p/);
});
