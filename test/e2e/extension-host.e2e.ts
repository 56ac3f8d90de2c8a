// The extension-host tests (test/vscode/, mocha with the real `vscode` API) inside code-server: once on
// a one-folder workspace (the example project), once on a multi-root workspace of two projects.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openEditor } from './code-server.ts';
import { exampleWorkspace, multiRootWorkspace } from './workspaces.ts';

const REPO = join(import.meta.dirname, '../..');
const SUITE = join(REPO, 'out/test-vscode/index.js');

function buildSuite(): void {
  const built = spawnSync(process.execPath, ['esbuild.mjs', '--vscode-tests'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
}

/** Runs the suite in code-server on `workspace`; returns mocha's report after asserting it passed. */
async function runSuite(t: TestContext, workspace: string): Promise<string> {
  buildSuite();
  const editor = await openEditor(t, workspace, { extensionTests: SUITE });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`the suite did not finish in 8 minutes:\n${editor.testOutput.join('\n')}`)), 8 * 60_000).unref(),
  );
  const code = await Promise.race([editor.tests!, timeout]);
  const report = editor.testOutput.join('\n');
  t.diagnostic(report);
  assert.equal(code, 0, `extension-host tests failed:\n${report}\n--- code-server:\n${editor.log.join('').slice(-4000)}`);
  return report;
}

test('extension-host tests on the example project (activation, tree, code lenses, language server, runs, Ctrl-C, dev container offer)', { timeout: 10 * 60_000 }, async (t) => {
  const report = await runSuite(t, exampleWorkspace());
  const passing = Number(/(\d+) passing/.exec(report)?.[1] ?? 0);
  assert.ok(passing >= 18, `expected every test to run and pass:\n${report}`);
  assert.doesNotMatch(report, /\d+ (failing|pending)/);
});

test('extension-host tests on a multi-root workspace of two projects', { timeout: 10 * 60_000 }, async (t) => {
  const report = await runSuite(t, multiRootWorkspace());
  assert.match(report, /3 passing/);
});
