import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  '  upstream_blocks:',
  '  - load',
  'name: p',
);

async function session(t: import('node:test').TestContext, text = PIPELINE) {
  const { client, root } = await lspSession(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'data_loaders/load.ts': '',
    'transformers/clean.ts': '',
    'pipelines/p/metadata.yaml': PIPELINE,
    'pipelines/q/metadata.yaml': lines('blocks:', '- uuid: load', '  type: data_loader', '  language: typescript', 'name: q'),
  });
  const file = join(root, 'pipelines/p/metadata.yaml');
  client.open(file, text);
  return { client, file, root };
}

type Items = { label: string; detail?: string }[];

test("completion offers the pipeline's block uuids in upstream_blocks, in both list styles", async (t) => {
  const typing = PIPELINE.replace('  - load\n', '  - load\n  - \n');
  const { client, file } = await session(t, typing);
  const items = await client.at<Items>('textDocument/completion', file, 10, 4);
  assert.deepEqual(items.map((i) => i.label).sort(), ['clean', 'load']);
  assert.equal(items.find((i) => i.label === 'load')!.detail, 'data_loader · typescript');
  const inline = await client.at<Items>('textDocument/completion', file, 4, 22);
  assert.deepEqual(inline.map((i) => i.label).sort(), ['clean', 'load']);
});

test('completion offers block types from the schema, and block keys', async (t) => {
  const typing = PIPELINE.replace('  type: transformer\n', '  type: \n  \n');
  const { client, file } = await session(t, typing);
  const types = await client.at<Items>('textDocument/completion', file, 6, 8);
  assert.ok(types.some((i) => i.label === 'data_exporter') && types.some((i) => i.label === 'sensor'));
  const keys = await client.at<Items>('textDocument/completion', file, 7, 2);
  for (const key of ['upstream_blocks', 'retry_config', 'timeout', 'configuration'])
    assert.ok(
      keys.some((i) => i.label === key),
      key,
    );
});

test("hover shows a block's type, file and links, and a key's schema description", async (t) => {
  const { client, file } = await session(t);
  const block = await client.at<{ contents: { value: string } }>('textDocument/hover', file, 9, 5);
  assert.match(block.contents.value, /\*\*load\*\* · data_loader · typescript/);
  assert.match(block.contents.value, /File: `data_loaders\/load\.ts`/);
  assert.match(block.contents.value, /Downstream: clean/);
  assert.match(block.contents.value, /Shared by pipelines: p, q/);
  const key = await client.at<{ contents: { value: string } }>('textDocument/hover', file, 8, 4);
  assert.match(key.contents.value, /\*\*upstream_blocks\*\*: Blocks whose outputs this block receives/);
});

test('go to definition on an upstream uuid opens the block file', async (t) => {
  const { client, file, root } = await session(t);
  const location = await client.at<{ uri: string }>('textDocument/definition', file, 9, 5);
  assert.equal(location.uri, pathToFileURL(join(root, 'data_loaders/load.ts')).href);
  assert.equal(await client.at('textDocument/definition', file, 10, 2), null);
});

test('completion in SQL blocks, io_config.yaml and SQL configuration: upstream names, run variables, env var names, profiles', async (t) => {
  const { client, root } = await lspSession(t, {
    'io_config.yaml': lines('version: 0.1.1', 'default:', '  PIPEWRIGHT_EMBEDDED: true', 'warehouse:', '  POSTGRES_HOST: "{{ env_var(\'PG_HOST\') }}"'),
    'dev.env': 'PG_HOST=localhost\nPG_PASSWORD=x\n',
    'data_loaders/load.ts': '',
    'transformers/clean.sql': 'SELECT * FROM {{ ',
    'pipelines/p/metadata.yaml': lines(
      'blocks:',
      '- uuid: load',
      '  type: data_loader',
      '  language: typescript',
      '  downstream_blocks: [clean]',
      '- uuid: clean',
      '  type: transformer',
      '  language: sql',
      '  upstream_blocks: [load]',
      '  configuration:',
      '    data_provider: ',
      '    data_provider_profile: ',
      'name: p',
      'variables:',
      '  min_fare: 2',
    ),
  });
  const sql = join(root, 'transformers/clean.sql');
  client.open(sql, 'SELECT * FROM {{ ', 'sql');
  const names = (await client.at<Items>('textDocument/completion', sql, 0, 17)).map((i) => i.label);
  for (const name of ['df_1', 'load', 'execution_date', 'ds', 'interval_start_datetime', 'min_fare', "variables('')", "env_var('')"]) assert.ok(names.includes(name), name);
  assert.ok(!names.includes('df_2'), 'only as many df_N as upstream blocks');
  client.change(sql, 2, "SELECT * FROM {{ df_1 }} WHERE fare > {{ variables('");
  const variables = (await client.at<Items>('textDocument/completion', sql, 0, 52)).map((i) => i.label);
  assert.deepEqual(variables, ['min_fare']);

  const io = join(root, 'io_config.yaml');
  const ioText = lines('version: 0.1.1', 'warehouse:', '  POSTGRES_USER: "{{ env_var(\'', '  ');
  client.open(io, ioText);
  assert.deepEqual(
    (await client.at<Items>('textDocument/completion', io, 2, 32)).map((i) => i.label),
    ['PG_HOST', 'PG_PASSWORD'],
  );
  const keys = (await client.at<Items>('textDocument/completion', io, 3, 2)).map((i) => i.label);
  for (const key of ['POSTGRES_DBNAME', 'GOOGLE_SERVICE_ACC_KEY_FILEPATH']) assert.ok(keys.includes(key), key);

  client.change(io, 2, readFileSync(io, 'utf8'));
  const metadata = join(root, 'pipelines/p/metadata.yaml');
  client.open(metadata, readFileSync(metadata, 'utf8'));
  assert.deepEqual(
    (await client.at<Items>('textDocument/completion', metadata, 10, 19)).map((i) => i.label),
    ['duckdb', 'postgres', 'bigquery'],
  );
  assert.deepEqual(
    (await client.at<Items>('textDocument/completion', metadata, 11, 27)).map((i) => i.label),
    ['default', 'warehouse'],
  );
});

test('other editors start the same server with `pipewright lsp --stdio`', async (t) => {
  const metadata = lines('blocks:', '- uuid: load', '  type: data_loader', '  language: typescript', '  upstream_blocks: [nowhere]', 'name: p');
  // The pipeline is new: its metadata.yaml is open in the editor, not saved yet.
  const { client, root } = await lspSession(t, { 'io_config.yaml': 'version: 0.1.1\n', 'data_loaders/load.ts': '' }, { viaCli: true });
  const file = join(root, 'pipelines/p/metadata.yaml');
  client.open(file, metadata);
  const published = await client.diagnostics(file, (d) => d.diagnostics.length > 0);
  assert.deepEqual(
    published.diagnostics.map((d) => [d.code, d.range.start.line]),
    [['unknown-upstream', 4]],
  );
  const bare = pipewright(['lsp']);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /pipewright lsp --stdio/);
});
