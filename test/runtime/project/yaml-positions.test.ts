import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasPath, keyRange, parseYamlFile, valueRange, type YamlPath } from '../../../runtime/yaml/yaml-file.ts';
import { readPositions } from '../../../runtime/yaml/yaml-positions.ts';

// Ranges come from js-yaml's parse events (fast) or from the `yaml` package's document (the
// reference). Both must point at the same place for every value of every YAML file we have, and
// for paths that are not there.

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return name.endsWith('.yaml') || name.endsWith('.yml') ? [path] : [];
  });
}

function paths(value: unknown, prefix: YamlPath = []): YamlPath[] {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, i) => paths(item, [...prefix, i])), [...prefix, value.length]];
  if (value && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k])), [...prefix, 'not_a_key']];
  return here;
}

const WRITTEN = `# a comment
blocks:
- all_upstream_blocks_executed: true   # trailing
  color: null
  configuration: {}
  downstream_blocks:
  - a
  - "b"
  empty:
  name: 'x y'
  # a comment line inside the mapping
flow: {a: 1, b: [1, 2]}
multi: |
  line one
  line two
"quoted key": 3
last: q   
`;

const sources = [
  { path: 'written.yaml', text: WRITTEN },
  ...[join(import.meta.dirname, '../../..', 'test'), join(import.meta.dirname, '../../..', 'examples'), join(import.meta.dirname, '../../../../shared/mage-corpus')]
    .flatMap(yamlFiles)
    .map((path) => ({ path, text: readFileSync(path, 'utf8') })),
];

test('value and key ranges from the fast positions equal those of the full YAML document, for every path of every file', () => {
  let compared = 0;
  let fast = 0;
  for (const { path, text } of sources) {
    const { file: quick, problems } = parseYamlFile(path, text);
    if (problems.length > 0) continue;
    const { file: reference } = parseYamlFile(path, text);
    assert.ok(reference.doc, 'the reference builds its document first');
    if (quick.positions.root) fast++;
    for (const at of paths(quick.value)) {
      const where = `${path} ${JSON.stringify(at)}`;
      assert.deepEqual(valueRange(quick, at), valueRange(reference, at), `value range of ${where}`);
      assert.deepEqual(keyRange(quick, at), keyRange(reference, at), `key range of ${where}`);
      assert.equal(hasPath(quick, at), hasPath(reference, at), `hasPath of ${where}`);
      compared++;
    }
  }
  assert.ok(fast >= 10, `the fast positions served only ${fast} files`);
  assert.ok(compared > 500, `only ${compared} paths compared`);
});

test('the fast positions step aside for what they do not follow: broken YAML, complex and escaped keys', () => {
  assert.equal(readPositions('a: [1, 2\nb: 3\n'), undefined);
  assert.equal(readPositions('? [a, b]\n: 1\nc: 2\n'), undefined);
  assert.equal(readPositions('"a\\tb": 1\nc: 2\n'), undefined);
  const { file } = parseYamlFile('complex.yaml', '? [a, b]\n: 1\nc: 2\n');
  assert.equal(file.positions.root, undefined);
  assert.deepEqual(valueRange(file, ['c']), { file: 'complex.yaml', start: { line: 3, col: 4 }, end: { line: 3, col: 5 } });
});
