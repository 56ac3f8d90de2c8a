import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { planCli, pythonEnv, READ_ONLY_VERBS } from '../../extension/cli-gate.ts';

// The one gate every CLI call of the extension passes: an untrusted workspace cannot choose the
// program that runs, and runs nothing but the verbs that only read.

const BASE = { bundledCli: '/ext/dist/cli.js', node: '/vscode/node' };
const FROM_REPOSITORY = { workspaceValue: '/repo/evil.sh' };

test('an untrusted workspace refuses every verb that runs or writes, whatever invokes it', () => {
  for (const verb of ['run', 'backfill', 'scheduler', 'triggers', 'new']) {
    const plan = planCli({ ...BASE, trusted: false, verb, runtimePath: {} });
    assert.ok('refused' in plan, verb);
    assert.match(plan.refused, /untrusted workspace.*Manage Workspace Trust/);
  }
});

test("an untrusted workspace's own runtimePath is never run, not even for a read-only verb", () => {
  for (const verb of READ_ONLY_VERBS) {
    assert.deepEqual(planCli({ ...BASE, trusted: false, verb, runtimePath: FROM_REPOSITORY }), { executable: '/vscode/node', args: ['/ext/dist/cli.js'] });
    assert.deepEqual(planCli({ ...BASE, trusted: false, verb, runtimePath: { workspaceFolderValue: '/repo/evil.js' } }), {
      executable: '/vscode/node',
      args: ['/ext/dist/cli.js'],
    });
  }
  // The user's own setting is theirs, trusted or not.
  assert.deepEqual(planCli({ ...BASE, trusted: false, verb: 'preview', runtimePath: { globalValue: '/home/me/pipewright' } }), { executable: '/home/me/pipewright', args: [] });
});

test("a trusted workspace uses the most specific runtimePath: a script through VS Code's Node, or an executable", () => {
  assert.deepEqual(planCli({ ...BASE, trusted: true, verb: 'run', runtimePath: {} }), { executable: '/vscode/node', args: ['/ext/dist/cli.js'] });
  assert.deepEqual(planCli({ ...BASE, trusted: true, verb: 'run', runtimePath: { globalValue: '/a.js', workspaceValue: ' /b/cli.mjs ' } }), {
    executable: '/vscode/node',
    args: ['/b/cli.mjs'],
  });
  assert.deepEqual(planCli({ ...BASE, trusted: true, verb: 'run', runtimePath: { ...FROM_REPOSITORY, workspaceFolderValue: '/c/pipewright' } }), {
    executable: '/c/pipewright',
    args: [],
  });
});

test('package.json restricts the settings that name a program in untrusted workspaces', () => {
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
  const settings = Object.keys(manifest.contributes.configuration.properties as Record<string, unknown>);
  const programs = settings.filter((name) => /path|program|executable|interpreter/i.test(name));
  assert.ok(programs.length > 0);
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, programs);
});

test("Python blocks use pipewright.pythonPath, else the Python extension's selected interpreter; an untrusted workspace's own setting is never used", () => {
  assert.deepEqual(pythonEnv({ trusted: true, pythonPath: { workspaceValue: '/w/.venv/bin/python', globalValue: '/usr/bin/python3' }, selected: '/sel/python' }), {
    PIPEWRIGHT_PYTHON: '/w/.venv/bin/python',
  });
  assert.deepEqual(pythonEnv({ trusted: true, pythonPath: {}, selected: '/sel/python' }), { PIPEWRIGHT_PYTHON: '/sel/python' });
  assert.deepEqual(pythonEnv({ trusted: true, pythonPath: { globalValue: ' ' } }), {}, 'nothing: the CLI looks for .venv, venv, python3');
  assert.deepEqual(pythonEnv({ trusted: false, pythonPath: { workspaceValue: '/repo/evil', globalValue: '/mine/python' } }), { PIPEWRIGHT_PYTHON: '/mine/python' });
  assert.deepEqual(pythonEnv({ trusted: false, pythonPath: { workspaceFolderValue: '/repo/evil' } }), {});
});
