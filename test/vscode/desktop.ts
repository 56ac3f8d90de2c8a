// `npm run test:vscode`: the extension-host suite (test/vscode/) in desktop VS Code, downloaded by
// @vscode/test-electron (it needs the internet once; CI here runs the same suite in code-server
// instead, through test/e2e/extension-host.e2e.ts). Runs the one-folder workspace, then the multi-root one.
import { runTests } from '@vscode/test-electron';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleWorkspace, multiRootWorkspace } from '../e2e/workspaces.ts';

const REPO = join(import.meta.dirname, '../..');

async function main(): Promise<void> {
  for (const workspace of [exampleWorkspace(), multiRootWorkspace()]) await runOn(workspace);
}

async function runOn(workspace: string): Promise<void> {
  try {
    await runTests({
      version: process.env.PIPEWRIGHT_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: REPO,
      extensionTestsPath: join(REPO, 'out/test-vscode/index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${mkdtempSync(join(tmpdir(), 'pipewright-vscode-user-'))}`],
    });
  } catch (error) {
    console.error(`The extension-host tests failed on ${workspace}: ${(error as Error).message ?? error}`);
    console.error('(VS Code is downloaded on first use: without internet, run the same suite in code-server with npm run test:e2e -- extension-host)');
    process.exit(1);
  }
}

void main();
