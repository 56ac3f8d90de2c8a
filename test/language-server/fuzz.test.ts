import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { lspSession, type LspClient } from '../helpers/lsp-client.ts';
import { lines } from '../helpers/project-tree.ts';

// Mutated pipeline, io_config and block files (deleted, doubled and swapped characters, stray YAML and
// code syntax), each followed by requests at random places: the server must answer every one, crash on
// none and hang on none.
const SOURCE = lines(
  'blocks:',
  '- uuid: load',
  '  type: data_loader',
  '  language: typescript',
  '  configuration: {file_path: data_loaders/load.ts}',
  '  downstream_blocks: [clean]',
  '- uuid: clean',
  '  type: transformer',
  '  upstream_blocks:',
  '  - load',
  'callbacks: []',
  'name: "p" # {{ env_var(\'X\') }}',
);
const NOISE = ['{', '}', '[', ']', ':', '- ', '\t', '"', "'", '&a', '*a', '!!str ', '\n', '  ', '#', '|', '>', '\u0000', '{{'];

function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms))]);
}

const IO_CONFIG = lines(
  'version: 0.1.1',
  'default:',
  '  PIPEWRIGHT_EMBEDDED: true',
  'dev:',
  '  POSTGRES_HOST: "{{ env_var(\'PG_HOST\') }}"',
  '  POSTGRES_PORT: 5432',
  '  POSTGRES_PASSWORD: hunter2',
  'PostgreSQL:',
  '  dev: {POSTGRES_USER: x}',
);
const SQL = lines('SELECT * FROM {{ df_1 }} JOIN {{ load }} USING (id)', "WHERE ds = '{{ ds }}' AND r = '{{ env_var('R') }}' AND v = {{ variables('v') }}");
const TYPESCRIPT = lines(
  "import { transformer } from 'pipewright';",
  'export default transformer(async (rows, ctx) => {',
  "  const pg = await ctx.io.postgres('dev');",
  "  return { rows, config: await ctx.config('default'), sensor: { profile: 'x' } };",
  '});',
);
const CODE_NOISE = ['{', '}', '{{', '}}', '(', ')', "'", '"', '`', '${', '\n', '\\', 'export default ', 'dataLoader(', 'env_var(', "postgres('", '\u0000'];

/**
 * Mutates an open file `versions` times (deleted, inserted and doubled text, or the original back) and
 * asks for completion, hover, definition and symbols at a random place after each change: every
 * request must be answered within 5 s.
 */
async function fuzz(client: LspClient, file: string, source: string, noise: string[], versions: number, seed: number): Promise<void> {
  const rnd = random(seed);
  let text = source;
  for (let version = 2; version < versions + 2; version++) {
    const at = Math.floor(rnd() * (text.length + 1));
    const pick = rnd();
    if (pick < 0.3) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 5));
    else if (pick < 0.6) text = text.slice(0, at) + noise[Math.floor(rnd() * noise.length)] + text.slice(at);
    else if (pick < 0.8) text = text.slice(0, at) + text.slice(at, at + 8) + text.slice(at);
    else text = source;
    client.change(file, version, text);
    const lineCount = text.split('\n').length;
    const line = Math.floor(rnd() * lineCount);
    const character = Math.floor(rnd() * 40);
    for (const method of ['textDocument/completion', 'textDocument/hover', 'textDocument/definition']) {
      await within(client.at(method, file, line, character), 5000, `${method} #${version} of ${file}`);
    }
    await within(client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: pathToFileURL(file).href } }), 5000, `symbols #${version}`);
  }
}

test('the language server survives 200 mutated pipeline files and answers every request', async (t) => {
  const { client, root } = await lspSession(t, { 'io_config.yaml': 'version: 0.1.1\n', 'data_loaders/load.ts': '', 'pipelines/p/metadata.yaml': SOURCE });
  const file = join(root, 'pipelines/p/metadata.yaml');
  client.open(file, SOURCE);
  await fuzz(client, file, SOURCE, NOISE, 200, 7);
  // Still alive and still right after all that: a clean file gets its diagnostics.
  const diagnosed = client.diagnostics(file, (d) => d.diagnostics.some((x) => x.code === 'unknown-upstream'));
  client.change(file, 300, SOURCE.replace('  - load', '  - lod'));
  await within(diagnosed, 10000, 'diagnostics after fuzzing');
});

test('the language server survives mutated io_config.yaml, SQL and TypeScript block files, and still checks them after', async (t) => {
  const pipeline = lines(
    'blocks:',
    '- uuid: load',
    '  type: data_loader',
    '  language: typescript',
    '- uuid: clean',
    '  type: transformer',
    '  language: typescript',
    '  upstream_blocks: [load]',
    '- uuid: pick',
    '  type: transformer',
    '  language: sql',
    '  upstream_blocks: [load]',
    'name: p',
  );
  const { client, root } = await lspSession(t, {
    'io_config.yaml': IO_CONFIG,
    'data_loaders/load.ts': "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => []);\n",
    'transformers/clean.ts': TYPESCRIPT,
    'transformers/pick.sql': SQL,
    'pipelines/p/metadata.yaml': pipeline,
  });
  const files = [
    { file: join(root, 'io_config.yaml'), source: IO_CONFIG, noise: NOISE, language: 'yaml' },
    { file: join(root, 'transformers/pick.sql'), source: SQL, noise: CODE_NOISE, language: 'sql' },
    { file: join(root, 'transformers/clean.ts'), source: TYPESCRIPT, noise: CODE_NOISE, language: 'typescript' },
  ];
  for (const [i, { file, source, noise, language }] of files.entries()) {
    client.open(file, source, language);
    await fuzz(client, file, source, noise, 100, 11 + i);
  }
  // Each file is checked again once it is whole: the literal password, the unset variable R, the unknown profile x.
  const expected: [string, string][] = [
    [files[0].file, 'literal-secret'],
    [files[1].file, 'missing-env-var'],
    [files[2].file, 'unknown-profile'],
  ];
  for (const [i, [file, code]] of expected.entries()) {
    const diagnosed = client.diagnostics(file, (d) => d.diagnostics.some((x) => x.code === code));
    client.change(file, 500, files[i].source);
    await within(diagnosed, 10000, `${code} in ${file} after fuzzing`);
  }
});
