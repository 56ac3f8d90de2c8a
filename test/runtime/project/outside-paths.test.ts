import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadProject } from '../../../runtime/project/load-project.ts';
import { addBlock } from '../../../runtime/scaffold/add-block.ts';
import { validateProject } from '../../../runtime/validate/validate-project.ts';
import { pipewright } from '../../helpers/cli.ts';
import { lines, writeTree } from '../../helpers/project-tree.ts';

// A block file resolves inside the project or it is an error naming the path, and nothing is read
// from outside: not through file_path, file_source, a uuid with "..", or a symbolic link.

const SECRET = 'root:x:0:0:the first line of a file outside the project';

/** A project beside a folder "outside" that holds a secret file, and the SQL block pointing wherever `entry` says. */
function project(t: TestContext, entry: string[] | ((outside: string) => string[])): { root: string; outside: string } {
  const parent = mkdtempSync(join(tmpdir(), 'pipewright-outside-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const outside = join(parent, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'evil.sql'), `${SECRET}\n`);
  const root = join(parent, 'proj');
  mkdirSync(join(root, 'pipelines/p'), { recursive: true });
  writeFileSync(join(root, 'io_config.yaml'), 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n');
  const entries = typeof entry === 'function' ? entry(outside) : entry;
  writeFileSync(join(root, 'pipelines/p/metadata.yaml'), lines('blocks:', ...entries, '  type: data_loader', '  language: sql', 'name: p', 'uuid: p'));
  return { root, outside };
}

const CASES: { name: string; entry: (outside: string) => string[]; line: number }[] = [
  { name: 'an absolute file_path', entry: (outside) => ['- uuid: q', '  configuration:', `    file_path: ${join(outside, 'evil.sql')}`], line: 4 },
  { name: 'a relative file_path with ..', entry: () => ['- uuid: q', '  configuration:', '    file_path: ../outside/evil.sql'], line: 4 },
  { name: 'a uuid with ..', entry: () => ['- uuid: ../../outside/evil'], line: 2 },
];

for (const c of CASES) {
  test(`${c.name} is an error naming the path, and the run reads nothing from outside`, (t) => {
    const { root } = project(t, c.entry);
    const problems = validateProject(loadProject(root), { env: {} }).filter((p) => p.severity === 'error');
    assert.deepEqual(
      problems.map((p) => `${p.code} ${relative(root, p.range.file)}:${p.range.start.line}`),
      [`block-file-outside pipelines/p/metadata.yaml:${c.line}`],
    );
    assert.match(problems[0].message, /outside the project .*move the file into the project/);
    const run = pipewright(['run', 'p'], { cwd: root });
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout + run.stderr, /the first line of a file outside/);
    const history = join(root, '.pipewright/history/runs.jsonl');
    if (existsSync(history)) assert.doesNotMatch(readFileSync(history, 'utf8'), /the first line of a file outside/);
    assert.match(run.stdout + run.stderr, /outside the project/);
  });
}

test('a block file that is a symbolic link out of the project is outside it too', (t) => {
  const { root, outside } = project(t, ['- uuid: q']);
  mkdirSync(join(root, 'data_loaders'));
  symlinkSync(join(outside, 'evil.sql'), join(root, 'data_loaders/q.sql'));
  const problems = validateProject(loadProject(root), { env: {} }).filter((p) => p.severity === 'error');
  assert.deepEqual(
    problems.map((p) => p.code),
    ['block-file-outside'],
  );
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1);
  assert.doesNotMatch(run.stdout + run.stderr, /the first line of a file outside/);
});

test('a link inside the project to another file of it is fine', (t) => {
  const root = writeTree(t, {
    'io_config.yaml': 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\n',
    'shared/q.sql': 'SELECT 1 AS one\n',
    'pipelines/p/metadata.yaml': lines('blocks:', '- uuid: q', '  type: data_loader', '  language: sql', 'name: p', 'uuid: p'),
  });
  mkdirSync(join(root, 'data_loaders'));
  symlinkSync(join(root, 'shared/q.sql'), join(root, 'data_loaders/q.sql'));
  assert.deepEqual(
    validateProject(loadProject(root), { env: {} }).filter((p) => p.severity === 'error'),
    [],
  );
  assert.equal(pipewright(['run', 'p'], { cwd: root }).code, 0);
});

test('a .pipewright folder that links out of the project is refused before anything runs', (t) => {
  const { root, outside } = project(t, ['- uuid: q']);
  mkdirSync(join(root, 'data_loaders'));
  writeFileSync(join(root, 'data_loaders/q.sql'), 'SELECT 1 AS one\n');
  symlinkSync(outside, join(root, '.pipewright'));
  const run = pipewright(['run', 'p'], { cwd: root });
  assert.equal(run.code, 1);
  assert.match(run.stdout + run.stderr, /\.pipewright leads out of the project \(to .*outside\): .*remove the link/);
  assert.equal(existsSync(join(outside, 'history')), false);
});

test('new block never writes through a folder that links out of the project', (t) => {
  const { root, outside } = project(t, ['- uuid: q']);
  symlinkSync(outside, join(root, 'transformers'));
  assert.throws(() => addBlock(root, { pipeline: 'p', name: 'shape', type: 'transformer', language: 'sql', upstream: ['q'] }), /is outside the project/);
  assert.equal(existsSync(join(outside, 'shape.sql')), false);
  assert.throws(() => addBlock(root, { pipeline: '../../outside', name: 'x', type: 'data_loader', language: 'sql', upstream: [] }), /outside the project/);
});
