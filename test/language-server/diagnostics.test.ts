import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pipewright } from '../helpers/cli.ts';
import { lspSession } from '../helpers/lsp-client.ts';
import { lines } from '../helpers/project-tree.ts';

const PIPELINE = lines(
  'blocks:',
  '- uuid: load',
  '  type: data_loader',
  '  language: typescript',
  '  downstream_blocks: [clean]',
  '- uuid: clean',
  '  type: transformer',
  '  language: typescript',
  '  upstream_blocks: [load]',
);

test('the language server publishes problems of unsaved edits, at their ranges, and clears them when fixed', async (t) => {
  const { client, root } = await lspSession(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'data_loaders/load.ts': '',
    'transformers/clean.ts': '',
    'pipelines/p/metadata.yaml': PIPELINE,
  });
  const file = join(root, 'pipelines/p/metadata.yaml');
  client.open(file, PIPELINE);
  const broken = PIPELINE.replace('upstream_blocks: [load]', 'upstream_blocks: [load, lod]');
  const reported = client.diagnostics(file, (d) => d.diagnostics.length > 0);
  client.change(file, 2, broken);
  const { diagnostics } = await reported;
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character]),
    [['unknown-upstream', 2, 8, 26]],
  );
  const cleared = client.diagnostics(file, (d) => d.diagnostics.length === 0);
  client.change(file, 3, PIPELINE);
  await cleared;
});

test('a YAML syntax error is a diagnostic, not a crash, and the server keeps answering', async (t) => {
  const { client, root } = await lspSession(t, { 'io_config.yaml': 'version: 0.1.1\n', 'pipelines/p/metadata.yaml': PIPELINE });
  const file = join(root, 'io_config.yaml');
  const reported = client.diagnostics(file, (d) => d.diagnostics.length > 0);
  client.open(file, 'dev:\n  POSTGRES_USER: "{{ env_var(PGUSER) }}"\n  bad: [\n');
  const { diagnostics } = await reported;
  assert.ok(
    diagnostics.some((d) => d.code === 'yaml-syntax'),
    JSON.stringify(diagnostics),
  );
  const fixed = client.diagnostics(file, (d) => d.diagnostics.some((x) => x.code === 'unquoted-env-var'));
  client.change(file, 2, 'dev:\n  POSTGRES_USER: "{{ env_var(PGUSER) }}"\n');
  const { diagnostics: after } = await fixed;
  assert.deepEqual(
    after.map((d) => [d.code, d.range.start.line, d.range.start.character]),
    [['unquoted-env-var', 1, 29]],
  );
});

test('block files are checked as they are typed: {{ df_N }} past the upstream count in SQL, a wrapper of another type in TypeScript', async (t) => {
  const sqlPipeline = PIPELINE.replace('  language: typescript\n  upstream_blocks: [load]', '  language: sql\n  upstream_blocks: [load]');
  const { client, root } = await lspSession(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'data_loaders/load.ts': "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => []);\n",
    'transformers/clean.sql': 'SELECT * FROM {{ df_1 }}\n',
    'pipelines/p/metadata.yaml': sqlPipeline,
  });
  const sql = join(root, 'transformers/clean.sql');
  client.open(sql, 'SELECT * FROM {{ df_1 }}\n', 'sql');
  const reported = client.diagnostics(sql, (d) => d.diagnostics.length > 0);
  client.change(sql, 2, 'SELECT * FROM {{ df_1 }}\nJOIN {{ df_2 }} USING (id)\n');
  const { diagnostics } = await reported;
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.character]),
    [['unknown-upstream-df', 1, 1, 5, 15]],
  );
  const loader = join(root, 'data_loaders/load.ts');
  client.open(loader, "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => []);\n", 'typescript');
  const mismatch = client.diagnostics(loader, (d) => d.diagnostics.length > 0);
  client.change(loader, 2, "import { transformer } from 'pipewright';\nexport default transformer(async () => []);\n");
  assert.deepEqual(
    (await mismatch).diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character]),
    [['block-type-mismatch', 2, 1, 15]],
  );
});

test('one edit updates the diagnostics of the files it affects: an upstream added in metadata.yaml, a profile removed from io_config.yaml', async (t) => {
  const sqlPipeline = lines(
    'blocks:',
    '- uuid: load',
    '  type: data_loader',
    '  language: typescript',
    '- uuid: clean',
    '  type: transformer',
    '  language: sql',
    '  configuration:',
    '    data_provider_profile: warehouse',
    '  upstream_blocks: [load]',
    'name: p',
  );
  const ioConfig = lines('version: 0.1.1', 'default:', '  PIPEWRIGHT_EMBEDDED: true', 'warehouse:', '  PIPEWRIGHT_EMBEDDED: true');
  const { client, root } = await lspSession(t, {
    'io_config.yaml': ioConfig,
    'data_loaders/load.ts': '',
    'data_loaders/more.ts': '',
    'transformers/clean.sql': 'SELECT * FROM {{ df_1 }} JOIN {{ df_2 }} USING (id)\n',
    'pipelines/p/metadata.yaml': sqlPipeline,
    'pipelines/q/metadata.yaml': lines('blocks:', '- uuid: load', '  type: data_loader', '  language: typescript', '  upstream_blocks: [gone]', 'name: q'),
  });
  const metadata = join(root, 'pipelines/p/metadata.yaml');
  const sql = join(root, 'transformers/clean.sql');
  // Opening one pipeline checks the whole project: the SQL file and the other pipeline get theirs too.
  const sqlReported = client.diagnostics(sql, (d) => d.diagnostics.some((x) => x.code === 'unknown-upstream-df'));
  const otherReported = client.diagnostics(join(root, 'pipelines/q/metadata.yaml'), (d) => d.diagnostics.some((x) => x.code === 'unknown-upstream'));
  client.open(metadata, sqlPipeline);
  await Promise.all([sqlReported, otherReported]);

  const sqlCleared = client.diagnostics(sql, (d) => d.diagnostics.length === 0);
  const withMore = sqlPipeline.replace('- uuid: clean', '- uuid: more\n  type: data_loader\n  language: typescript\n- uuid: clean').replace('[load]', '[load, more]');
  client.change(metadata, 2, withMore);
  await sqlCleared;

  const io = join(root, 'io_config.yaml');
  client.open(io, ioConfig);
  const profileReported = client.diagnostics(metadata, (d) => d.diagnostics.some((x) => x.code === 'unknown-profile'));
  client.change(io, 2, lines('version: 0.1.1', 'default:', '  PIPEWRIGHT_EMBEDDED: true'));
  const { diagnostics } = await profileReported;
  const profile = diagnostics.filter((d) => d.code === 'unknown-profile');
  assert.deepEqual(
    profile.map((d) => [d.severity, d.range.start.line, d.range.start.character]),
    [[1, 11, 27]],
  );
  assert.match(profile[0].message, /uses profile "warehouse", which io_config.yaml does not have \(profiles: default\)/);
});

test("where the latest run of a block failed shows at the user's line once the history changes, and goes when the file is edited", async (t) => {
  const code = lines("import { dataLoader } from 'pipewright';", 'export default dataLoader(async () => {', "  throw new Error('the source is down');", '});');
  const { client, root } = await lspSession(t, {
    'io_config.yaml': 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n',
    'data_loaders/load.ts': code,
    'pipelines/p/metadata.yaml': lines('blocks:', '- uuid: load', '  type: data_loader', '  language: typescript', 'name: p', 'uuid: p'),
  });
  const file = join(root, 'data_loaders/load.ts');
  const reported = client.diagnostics(file, (d) => d.diagnostics.some((x) => x.code === 'run-failed'), 30_000);
  assert.equal(pipewright(['run', 'p'], { cwd: root }).code, 1);
  client.watched(join(root, '.pipewright/history/runs.jsonl'));
  const failed = (await reported).diagnostics.find((d) => d.code === 'run-failed')!;
  assert.equal(failed.range.start.line, 2);
  assert.match(failed.message, /^load failed in run \S+ \(p\): the source is down$/);
  const cleared = client.diagnostics(file, (d) => !d.diagnostics.some((x) => x.code === 'run-failed'));
  client.open(file, code, 'typescript');
  client.change(file, 2, code.replace('the source is down', 'still down'));
  await cleared;
});
