import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, type TestContext } from 'node:test';
import { pipewright } from '../helpers/cli.ts';
import { applyWorkspaceEdit, lspSession, type WorkspaceEdit } from '../helpers/lsp-client.ts';
import { lines } from '../helpers/project-tree.ts';

const P = lines(
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
  '  downstream_blocks:',
  '  - report',
  '- uuid: report',
  '  type: transformer',
  '  language: sql',
  '  upstream_blocks: [clean]',
  'name: p',
);
const Q = lines('blocks:', '- uuid: load', '  type: data_loader', '  language: typescript', 'name: q');

type Loc = { uri: string; range: { start: { line: number; character: number } } };
type Symbol = { name: string; detail?: string; kind: number; children?: Symbol[] };

async function session(t: TestContext) {
  const { client, root } = await lspSession(t, {
    'io_config.yaml': lines('version: 0.1.1', 'default:', '  PIPEWRIGHT_EMBEDDED: true', 'dev:', '  POSTGRES_HOST: db', '  POSTGRES_PORT: 5432'),
    'data_loaders/load.ts': "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ a: 1 }]);\n",
    'transformers/clean.ts': "import { transformer } from 'pipewright';\nexport default transformer(async (rows) => rows);\n",
    'transformers/report.sql': 'SELECT count(*) AS n FROM {{ clean }} -- also {{df_1}}\n',
    'pipelines/p/metadata.yaml': P,
    'pipelines/p/triggers.yaml': lines('triggers:', '- name: nightly', '  schedule_type: time', '  schedule_interval: "@daily"', '  start_time: 2024-01-01', '  status: active'),
    'pipelines/q/metadata.yaml': Q,
  });
  const metadata = join(root, 'pipelines/p/metadata.yaml');
  client.open(metadata, P);
  return { client, root, metadata };
}

const where = (root: string, locations: Loc[]) =>
  locations.map((l) => `${l.uri.replace(pathToFileURL(root).href + '/', '')}:${l.range.start.line}:${l.range.start.character}`).sort();

test('references of a shared block: every link and uuid in every pipeline using its file, and the file', async (t) => {
  const { client, root, metadata } = await session(t);
  const refs = (await client.connection.sendRequest('textDocument/references', {
    textDocument: { uri: pathToFileURL(metadata).href },
    position: { line: 9, character: 4 },
    context: { includeDeclaration: true },
  })) as Loc[];
  assert.deepEqual(where(root, refs), ['data_loaders/load.ts:0:0', 'pipelines/p/metadata.yaml:1:8', 'pipelines/p/metadata.yaml:9:4', 'pipelines/q/metadata.yaml:1:8']);
  const links = (await client.connection.sendRequest('textDocument/references', {
    textDocument: { uri: pathToFileURL(metadata).href },
    position: { line: 5, character: 9 },
    context: { includeDeclaration: false },
  })) as Loc[];
  assert.deepEqual(where(root, links), ['pipelines/p/metadata.yaml:15:20', 'pipelines/p/metadata.yaml:4:22']);
});

test('go to definition from a block file lands on its entries in every metadata.yaml', async (t) => {
  const { client, root } = await session(t);
  const file = join(root, 'data_loaders/load.ts');
  client.open(file, readFileSync(file, 'utf8'), 'typescript');
  const entries = await client.at<Loc[]>('textDocument/definition', file, 1, 20);
  assert.deepEqual(where(root, entries), ['pipelines/p/metadata.yaml:1:8', 'pipelines/q/metadata.yaml:1:8']);
});

test('document symbols: blocks of a pipeline, triggers, and io_config profiles with their settings', async (t) => {
  const { client, root, metadata } = await session(t);
  const symbols = (path: string) => client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: pathToFileURL(path).href } }) as Promise<Symbol[]>;
  assert.deepEqual(
    (await symbols(metadata)).map((s) => `${s.name} (${s.detail})`),
    ['load (data_loader · typescript)', 'clean (transformer · typescript)', 'report (transformer · sql)'],
  );
  const triggers = join(root, 'pipelines/p/triggers.yaml');
  client.open(triggers, readFileSync(triggers, 'utf8'));
  assert.deepEqual(
    (await symbols(triggers)).map((s) => `${s.name} (${s.detail})`),
    ['nightly (@daily)'],
  );
  const io = join(root, 'io_config.yaml');
  client.open(io, readFileSync(io, 'utf8'));
  const profiles = await symbols(io);
  assert.deepEqual(
    profiles.map((s) => [s.name, (s.children ?? []).map((c) => c.name)]),
    [
      ['default', ['PIPEWRIGHT_EMBEDDED']],
      ['dev', ['POSTGRES_HOST', 'POSTGRES_PORT']],
    ],
  );
});

test('rename a block: its uuid, the links to it, {{ uuid }} in downstream SQL and its file, in one edit', async (t) => {
  const { client, root, metadata } = await session(t);
  const uri = pathToFileURL(metadata).href;
  const prepared = (await client.connection.sendRequest('textDocument/prepareRename', { textDocument: { uri }, position: { line: 15, character: 21 } })) as { placeholder: string };
  assert.equal(prepared.placeholder, 'clean');
  const edit = (await client.connection.sendRequest('textDocument/rename', {
    textDocument: { uri },
    position: { line: 15, character: 21 },
    newName: 'clean_trips',
  })) as WorkspaceEdit;
  applyWorkspaceEdit(edit);
  assert.equal(readFileSync(metadata, 'utf8'), P.replace('- uuid: clean\n', '- uuid: clean_trips\n').replace('[clean]', '[clean_trips]').replace('[clean]', '[clean_trips]'));
  assert.equal(readFileSync(join(root, 'transformers/report.sql'), 'utf8'), 'SELECT count(*) AS n FROM {{ clean_trips }} -- also {{df_1}}\n');
  assert.ok(existsSync(join(root, 'transformers/clean_trips.ts')) && !existsSync(join(root, 'transformers/clean.ts')), 'the file follows its uuid');
  const validate = pipewright(['validate'], { cwd: root });
  assert.match(validate.stdout, /2 pipelines, 0 errors, 0 warnings/, validate.stdout + validate.stderr);
});

test('rename a shared block changes every pipeline using its file; a taken or invalid name is refused', async (t) => {
  const { client, root, metadata } = await session(t);
  const uri = pathToFileURL(metadata).href;
  const taken = client.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position: { line: 1, character: 9 }, newName: 'report' });
  await assert.rejects(taken, /Pipeline "p" already has a block "report": choose another name/);
  await assert.rejects(
    client.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position: { line: 1, character: 9 }, newName: 'my source' }),
    /cannot be a block uuid/,
  );
  const edit = (await client.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position: { line: 1, character: 9 }, newName: 'source' })) as WorkspaceEdit;
  applyWorkspaceEdit(edit);
  assert.match(readFileSync(join(root, 'pipelines/q/metadata.yaml'), 'utf8'), /^- uuid: source$/m);
  assert.match(readFileSync(metadata, 'utf8'), /^ {2}- source$/m);
  assert.ok(existsSync(join(root, 'data_loaders/source.ts')));
  const validate = pipewright(['validate'], { cwd: root });
  assert.match(validate.stdout, /2 pipelines, 0 errors, 0 warnings/, validate.stdout + validate.stderr);
});
