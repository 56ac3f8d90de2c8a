// The extension-host test suite's entry (VS Code's `extensionTestsPath`): mocha inside the extension
// host. A one-folder workspace runs the single-project suites, a multi-root one the multi-root suite.
// Runs in code-server (test/e2e/extension-host.e2e.ts) and in desktop VS Code (npm run test:vscode).
import Mocha from 'mocha';
import { join } from 'node:path';
import * as vscode from 'vscode';

const SINGLE = ['activation.test.js', 'language.test.js', 'runs.test.js', 'dev-container.test.js'];
const MULTI = ['multi-root.test.js'];

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90_000, reporter: 'spec' });
  const multi = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  for (const file of multi ? MULTI : SINGLE) mocha.addFile(join(__dirname, file));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
