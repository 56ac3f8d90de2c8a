import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadProject } from '../../runtime/project/load-project.ts';
import { validateProject } from '../../runtime/validate/validate-project.ts';
import { pipewright } from '../helpers/cli.ts';
import { lines, writeTree } from '../helpers/project-tree.ts';

// Mutated metadata.yaml, triggers.yaml and io_config.yaml (deleted, inserted and doubled text, stray
// YAML syntax), each validated in process, and some run with the CLI: no exception, no stack trace,
// and every problem a one-line message at a real file, line and column. The language server gets the
// same treatment in test/language-server/fuzz.test.ts.

const FILES: Record<string, string> = {
  'pipelines/p/metadata.yaml': lines(
    'blocks:',
    '- uuid: load',
    '  type: data_loader',
    '  language: sql',
    '  timeout: 30',
    '  retry_config: {retries: 1, delay: 1}',
    '  downstream_blocks: [clean]',
    '- uuid: clean',
    '  type: transformer',
    '  language: sql',
    '  upstream_blocks:',
    '  - load',
    'concurrency_config: {block_run_limit: 2}',
    'name: p',
    'uuid: p',
  ),
  'pipelines/p/triggers.yaml': lines(
    'triggers:',
    '- name: daily',
    '  schedule_type: time',
    '  schedule_interval: "@daily"',
    '  start_time: 2024-01-01 00:00:00',
    '  status: inactive',
    '  settings: {timeout: 60}',
  ),
  'io_config.yaml': lines('version: 0.1.1', 'default:', '  PIPEWRIGHT_EMBEDDED: true', 'dev:', '  POSTGRES_HOST: "{{ env_var(\'PG_HOST\') }}"', '  POSTGRES_PORT: 5432'),
};
const NOISE = ['{', '}', '[', ']', ':', '- ', '\t', '"', "'", '&a', '*a', '!!str ', '\n', '  ', '#', '|', '>', '\u0000', '{{', '---\n', '\uFEFF', '[[[[[[', '? '];

function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function mutate(source: string, rnd: () => number): string {
  let text = source;
  for (let edits = 1 + Math.floor(rnd() * 3); edits > 0; edits--) {
    const at = Math.floor(rnd() * (text.length + 1));
    const pick = rnd();
    if (pick < 0.35) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 6));
    else if (pick < 0.75) text = text.slice(0, at) + NOISE[Math.floor(rnd() * NOISE.length)] + text.slice(at);
    else text = text.slice(0, at) + text.slice(at, at + 10) + text.slice(at);
  }
  return text;
}

const MUTATIONS = 300;
const RUNS = 20;

test(`validate and run survive ${MUTATIONS} mutated YAML files: every problem one line at a real place, no stack trace`, (t) => {
  const root = writeTree(t, { ...FILES, 'data_loaders/load.sql': 'SELECT 1 AS id\n', 'transformers/clean.sql': 'SELECT * FROM {{ df_1 }}\n' });
  const rnd = random(19);
  const names = Object.keys(FILES);
  let problemsSeen = 0;
  for (let i = 0; i < MUTATIONS; i++) {
    const name = names[i % names.length];
    const text = mutate(FILES[name], rnd);
    for (const other of names) writeFileSync(join(root, other), other === name ? text : FILES[other]);
    const problems = validateProject(loadProject(root), { env: {} });
    problemsSeen += problems.length;
    for (const problem of problems) {
      const where = `mutation ${i} of ${name} ${JSON.stringify(text)}: ${problem.message}`;
      assert.ok(problem.range.start.line >= 1 && problem.range.start.col >= 1, where);
      assert.ok(problem.message.trim().length > 0 && !problem.message.includes('\n'), where);
      assert.doesNotMatch(problem.message, /Maximum call stack|parseAllDocuments|Invalid YAML: ?$|\bat \w+ \(/, where);
    }
    if (i % Math.floor(MUTATIONS / RUNS) === 0) {
      const run = pipewright(['run', 'p'], { cwd: root });
      const where = `run of mutation ${i} of ${name} ${JSON.stringify(text)}`;
      assert.ok(run.code === 0 || run.code === 1 || run.code === 2, `${where}: exit ${run.code}\n${run.stderr}`);
      assert.doesNotMatch(run.stdout + run.stderr, /internal error|^\s+at .+:\d+:\d+\)?$/m, where);
    }
  }
  assert.ok(problemsSeen > MUTATIONS / 2, 'the mutations made problems to check');
});
