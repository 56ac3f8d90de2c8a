import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { buildGraph } from '../runtime/graph/graph.ts';
import { loadWorkspace } from '../runtime/project/load-project.ts';
import { formatProblem } from '../runtime/problem.ts';
import { validateProject } from '../runtime/validate/validate-project.ts';

// Real Mage projects from ../shared/mage-corpus (beside this repository in the development
// workspace and in CI; not part of a user's clone). Mage loads all of them, so Pipewright must load,
// graph and validate them with no error.
const shared = join(import.meta.dirname, '../../shared');
const tool = join(shared, 'tools/mage-corpus.mjs');
const available = existsSync(tool) && existsSync(join(shared, 'mage-corpus'));

if (!available) console.log(`# Mage corpus test skipped: ${shared} is absent (it exists only in the development workspace)`);

test('every real Mage project loads, graphs and validates with no error', { skip: !available && `${shared} is absent` }, (t) => {
  const out = mkdtempSync(join(tmpdir(), 'pipewright-corpus-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  execFileSync(process.execPath, [tool, out]);
  const projects = readdirSync(out);
  assert.ok(projects.length >= 10, `expected the corpus's projects, found ${projects.length}`);
  let pipelines = 0;
  for (const name of projects) {
    const workspace = loadWorkspace(join(out, name));
    assert.ok(workspace.projects.length > 0, `${name}: no project loaded`);
    const errors = workspace.problems.filter((p) => p.severity === 'error');
    for (const project of workspace.projects) {
      for (const pipeline of project.pipelines.values()) {
        const graph = buildGraph(pipeline);
        assert.equal(graph.cycle, undefined, `${name}/${pipeline.uuid} has a cycle`);
        assert.ok(graph.order.length > 0 || pipeline.blocks.length === 0, `${name}/${pipeline.uuid}: empty order`);
        pipelines++;
      }
      errors.push(...validateProject(project, { env: {} }).filter((p) => p.severity === 'error'));
    }
    assert.deepEqual(
      errors.map((p) => formatProblem(p, (f) => relative(out, f))),
      [],
      `${name} must validate without errors`,
    );
  }
  assert.ok(pipelines >= 50, `expected the corpus's pipelines, found ${pipelines}`);
});
