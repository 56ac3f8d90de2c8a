import { join } from 'node:path';
import { test } from 'node:test';
import { lspSession } from '../helpers/lsp-client.ts';
import { lines } from '../helpers/project-tree.ts';

// Mutated pipeline files (deleted, doubled and swapped characters, stray YAML syntax), each followed by
// requests at random places: the server must answer every one, crash on none and hang on none.
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
  "name: \"p\" # {{ env_var('X') }}",
);
const NOISE = ['{', '}', '[', ']', ':', '- ', '\t', '"', "'", '&a', '*a', '!!str ', '\n', '  ', '#', '|', '>', '\u0000', '{{'];

function random(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms))]);
}

test('the language server survives 200 mutated pipeline files and answers every request', async (t) => {
  const { client, root } = await lspSession(t, { 'io_config.yaml': 'version: 0.1.1\n', 'data_loaders/load.ts': '', 'pipelines/p/metadata.yaml': SOURCE });
  const file = join(root, 'pipelines/p/metadata.yaml');
  client.open(file, SOURCE);
  const rnd = random(7);
  let text = SOURCE;
  for (let version = 2; version <= 201; version++) {
    const at = Math.floor(rnd() * (text.length + 1));
    const pick = rnd();
    if (pick < 0.3) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 5));
    else if (pick < 0.6) text = text.slice(0, at) + NOISE[Math.floor(rnd() * NOISE.length)] + text.slice(at);
    else if (pick < 0.8) text = text.slice(0, at) + text.slice(at, at + 8) + text.slice(at);
    else text = SOURCE;
    client.change(file, version, text);
    const lineCount = text.split('\n').length;
    const line = Math.floor(rnd() * lineCount);
    const character = Math.floor(rnd() * 12);
    await within(client.at('textDocument/completion', file, line, character), 5000, `completion #${version}`);
    await within(client.at('textDocument/hover', file, line, character), 5000, `hover #${version}`);
  }
  // Still alive and still right after all that: a clean file gets its diagnostics.
  const diagnosed = client.diagnostics(file, (d) => d.diagnostics.some((x) => x.code === 'unknown-upstream'));
  client.change(file, 202, SOURCE.replace('  - load', '  - lod'));
  await within(diagnosed, 10000, 'diagnostics after fuzzing');
});
