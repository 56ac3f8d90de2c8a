import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { profileOf, resolveProjectSettings } from '../../runtime/project/read-profile.ts';

/** A profile as a run resolves it, with no environment of the test's own. */
const readProfile = (root: string, name: string) => profileOf(resolveProjectSettings(root, {}), name);
import { pipewright } from '../helpers/cli.ts';
import { applyWorkspaceEdit, lspSession, type WorkspaceEdit } from '../helpers/lsp-client.ts';
import { pipelineProject } from '../helpers/pipeline-project.ts';
import { lines, writeTree } from '../helpers/project-tree.ts';

type Action = { title: string; kind: string; edit: WorkspaceEdit };

const IO_CONFIG = lines(
  'version: 0.1.1',
  'default:',
  '  PIPEWRIGHT_EMBEDDED: true',
  'dev:',
  '  POSTGRES_PASSWORD: "hunter 2#" # written here by mistake',
  '  POSTGRES_USER: "{{ env_var(PGUSER) }}"',
);

const PIPELINE = lines(
  'blocks:',
  '- uuid: load',
  '  type: data_loader',
  '  language: typescript',
  '  downstream_blocks: []',
  '- uuid: clean',
  '  type: transformer',
  '  language: typescript',
  '  upstream_blocks:',
  '  - load',
  '- uuid: export_rows',
  '  type: data_exporter',
  '  language: sql',
  '  upstream_blocks: [clean]',
  'name: p',
);

function project(t: import('node:test').TestContext, ioConfig = IO_CONFIG) {
  return writeTree(t, {
    'io_config.yaml': ioConfig,
    'dev.env': 'PGUSER=etl\n',
    'data_loaders/load.ts': "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ a: 1 }]);\n",
    'transformers/clean.ts': "import { transformer } from 'pipewright';\nexport default transformer(async (rows) => rows);\n",
    'pipelines/p/metadata.yaml': PIPELINE,
  });
}

test("quick fixes in io_config.yaml: quote env_var's argument, move a literal password into .env", async (t) => {
  const { client, root } = await lspSession(t, project(t));
  const file = join(root, 'io_config.yaml');
  client.open(file, IO_CONFIG);
  const published = await client.diagnostics(file, (d) => d.diagnostics.some((x) => x.code === 'unquoted-env-var') && d.diagnostics.some((x) => x.code === 'literal-secret'));
  const actions = await client.codeActions<Action[]>(file, published.diagnostics);
  assert.deepEqual(actions.map((a) => a.title).sort(), ['Move the value to .env as POSTGRES_PASSWORD and read it with env_var', "Quote the variable name: env_var('PGUSER')"]);
  assert.ok(actions.every((a) => a.kind === 'quickfix'));
  for (const action of actions) applyWorkspaceEdit(action.edit);

  const text = readFileSync(file, 'utf8');
  assert.match(text, /^ {2}POSTGRES_PASSWORD: "\{\{ env_var\('POSTGRES_PASSWORD'\) \}\}" # written here by mistake$/m, 'the comment stays');
  assert.match(text, /^ {2}POSTGRES_USER: "\{\{ env_var\('PGUSER'\) \}\}"$/m);
  assert.equal(readFileSync(join(root, '.env'), 'utf8'), "POSTGRES_PASSWORD='hunter 2#'\n", '.env is created, the value quoted');
  const dev = readProfile(root, 'dev');
  assert.equal(dev.POSTGRES_PASSWORD, 'hunter 2#', 'the profile resolves to the same password, now from .env');
  assert.equal(dev.POSTGRES_USER, 'etl');
});

test('quick fixes in metadata.yaml: add the mirror link, create the missing block file from its template', async (t) => {
  const { client, root } = await lspSession(t, project(t, 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n'));
  const file = join(root, 'pipelines/p/metadata.yaml');
  client.open(file, PIPELINE);
  const published = await client.diagnostics(file, (d) => d.diagnostics.some((x) => x.code === 'edge-mismatch') && d.diagnostics.some((x) => x.code === 'missing-block-file'));
  const actions = await client.codeActions<Action[]>(
    file,
    published.diagnostics.filter((d) => d.code === 'edge-mismatch' || d.code === 'missing-block-file'),
  );
  assert.deepEqual(
    actions.map((a) => a.title).sort(),
    [
      'Add "clean" to downstream_blocks of "load"',
      'Create data_exporters/export_rows.sql from the data_exporter template',
      'Add "export_rows" to downstream_blocks of "clean"',
    ].sort(),
  );
  // An editor applies one fix at a time; the link fixes rewrite the file, so each is asked for again.
  applyWorkspaceEdit(actions.find((a) => a.title.startsWith('Create'))!.edit);
  assert.ok(existsSync(join(root, 'data_exporters/export_rows.sql')));
  for (let round = 0; round < 2; round++) {
    const current = readFileSync(file, 'utf8');
    client.change(file, 2 + round, current);
    const now = await client.diagnostics(file, (d) => d.diagnostics.filter((x) => x.code === 'edge-mismatch').length === 2 - round);
    const [fix] = await client.codeActions<Action[]>(
      file,
      now.diagnostics.filter((d) => d.code === 'edge-mismatch'),
    );
    applyWorkspaceEdit(fix.edit);
  }
  const text = readFileSync(file, 'utf8');
  assert.match(text, /- uuid: load\n {2}type: data_loader\n {2}language: typescript\n {2}downstream_blocks:\n {2}- clean\n/);
  const validate = pipewright(['validate'], { cwd: root });
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  assert.match(validate.stdout, /1 pipeline, 0 errors, 0 warnings/, 'nothing left to fix');
});

test('a fix whose file changed so that it no longer applies is not offered', async (t) => {
  const { client, root } = await lspSession(t, project(t));
  const file = join(root, 'pipelines/p/metadata.yaml');
  client.open(file, PIPELINE);
  const published = await client.diagnostics(file, (d) => d.diagnostics.some((x) => x.code === 'edge-mismatch'));
  client.change(file, 2, 'blocks: [\n');
  const actions = await client.codeActions<Action[]>(
    file,
    published.diagnostics.filter((d) => d.code === 'edge-mismatch'),
  );
  assert.deepEqual(actions, [], 'a file with YAML errors gets no rewrite');
});

test('a literal secret whose name .env already uses: the same value is only read from there, another value gets the profile in the name', async (t) => {
  const io = lines('version: 0.1.1', 'dev:', '  POSTGRES_PASSWORD: postgres', 'prod:', '  POSTGRES_PASSWORD: hunter2');
  const { client, root } = await lspSession(t, { 'io_config.yaml': io, 'dev.env': 'POSTGRES_PASSWORD=postgres\n', '.env': 'PGUSER=etl' });
  const file = join(root, 'io_config.yaml');
  client.open(file, io);
  const published = await client.diagnostics(file, (d) => d.diagnostics.filter((x) => x.code === 'literal-secret').length === 2);
  const actions = await client.codeActions<Action[]>(file, published.diagnostics);
  assert.deepEqual(
    actions.map((a) => a.title),
    ["Read the value with env_var('POSTGRES_PASSWORD'), which the project's .env already gives", 'Move the value to .env as PROD_POSTGRES_PASSWORD and read it with env_var'],
  );
  for (const action of actions) applyWorkspaceEdit(action.edit);
  assert.equal(readFileSync(join(root, '.env'), 'utf8'), 'PGUSER=etl\nPROD_POSTGRES_PASSWORD=hunter2\n', 'appended on a line of its own');
  assert.equal(readProfile(root, 'dev').POSTGRES_PASSWORD, 'postgres');
  assert.equal(readProfile(root, 'prod').POSTGRES_PASSWORD, 'hunter2');
});

test('a variable put into SQL as text gets a hint whose quick fix passes it as a quoted literal, and the fixed block runs safely', async (t) => {
  const sql = lines(
    "-- {{ variables('zone') }} in a comment is text, and so is one in quotes: '{{ variables('zone') }}'",
    "SELECT * FROM {{ df_1 }} WHERE zone = {{ variables('zone') }} AND '{{ ds }}' <> '' AND n > {{ limit }}",
  );
  const root = pipelineProject(
    t,
    {
      zones: {
        code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ zone: \"x'; DROP TABLE zones; --\", n: 5 }, { zone: 'Bronx', n: 5 }]);\n",
      },
      pick: { language: 'sql', upstream: ['zones'], code: sql },
    },
    { variables: { limit: 1 } },
  );
  const { client } = await lspSession(t, root);
  const file = join(root, 'transformers/pick.sql');
  client.open(file, sql);
  const published = await client.diagnostics(file, (d) => d.diagnostics.filter((x) => x.code === 'raw-sql-variable').length === 2);
  const hints = published.diagnostics.filter((x) => x.code === 'raw-sql-variable');
  assert.deepEqual(
    hints.map((h) => h.range.start.line),
    [1, 1],
    'only the bare ones of line 2: not the comment, not the quoted one, not ds',
  );
  const actions = await client.codeActions<Action[]>(file, hints);
  assert.deepEqual(actions.map((a) => a.title).sort(), [
    'Pass the value as a quoted SQL literal: {{ limit | sql_literal }}',
    "Pass the value as a quoted SQL literal: {{ variables('zone') | sql_literal }}",
  ]);
  // Each edit is against the text as it was: apply the later one first.
  const at = (action: Action) => Object.values(action.edit.changes ?? {})[0][0].range.start.character;
  for (const action of [...actions].sort((a, b) => at(b) - at(a))) applyWorkspaceEdit(action.edit);
  assert.match(readFileSync(file, 'utf8'), /WHERE zone = \{\{ variables\('zone'\) \| sql_literal \}\} AND '\{\{ ds \}\}' <> '' AND n > \{\{ limit \| sql_literal \}\}/);
  const run = pipewright(['run', 'p', '--var', "zone=x'; DROP TABLE zones; --"], { cwd: root });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const preview = JSON.parse(pipewright(['preview', 'p', 'pick', '--json'], { cwd: root }).stdout);
  assert.deepEqual(preview.preview, [{ zone: "x'; DROP TABLE zones; --", n: 5 }], 'the value matched as a value');
});
