import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { LspClient } from '../helpers/lsp-client.ts';
import { lines, writeTree } from '../helpers/project-tree.ts';

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
  const root = writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\n',
    'data_loaders/load.ts': '',
    'transformers/clean.ts': '',
    'pipelines/p/metadata.yaml': PIPELINE,
    'pipelines/q/metadata.yaml': lines('blocks:', '- uuid: load', '  type: data_loader', '  language: typescript', 'name: q'),
  });
  const client = new LspClient();
  t.after(() => client.stop());
  await client.initialize(root);
  const file = join(root, 'pipelines/p/metadata.yaml');
  client.open(file, text);
  return { client, file, root };
}

type Items = { label: string; detail?: string }[];

test('completion offers the pipeline\'s block uuids in upstream_blocks, in both list styles', async (t) => {
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
  for (const key of ['upstream_blocks', 'retry_config', 'timeout', 'configuration']) assert.ok(keys.some((i) => i.label === key), key);
});

test('hover shows a block\'s type, file and links, and a key\'s schema description', async (t) => {
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
