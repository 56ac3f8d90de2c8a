// The offer to reopen in the dev container before a run in a local window, with the real vscode API:
// the dialog's answers (stubbed as the user's clicks), the memory of "Always Run Here", and the Dev
// Containers command it hands over to. The window kind is given, since this host is code-server's
// (a remote window); runs.test.ts covers the extension's own instance in whatever window it is.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { ContainerOffer } from '../../extension/dev-container.js';

/** workspaceState as VS Code keeps it, in memory. */
function memento(): vscode.Memento {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    update: (key: string, value: unknown) => Promise.resolve(void values.set(key, value)),
  } as vscode.Memento;
}

describe('the dev container offer', () => {
  let project: string;
  let answers: (string | undefined)[];
  let shown: string[];
  const show = vscode.window.showInformationMessage;

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'pipewright-offer-'));
    mkdirSync(join(project, '.devcontainer'));
    writeFileSync(join(project, '.devcontainer/devcontainer.json'), '{ "name": "p", "image": "node:24" }\n');
    answers = [];
    shown = [];
    // Each dialog gets the next answer, as if the user clicked it (undefined: closed with Escape).
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = (message: string) => {
      shown.push(message);
      return Promise.resolve(answers.shift());
    };
  });
  afterEach(() => {
    (vscode.window as { showInformationMessage: unknown }).showInformationMessage = show;
  });

  it('in a local window asks once; "Run Here" runs here for the rest of the window’s life', async () => {
    const offer = new ContainerOffer({ workspaceState: memento() }, () => true);
    answers.push('Run Here');
    assert.equal(await offer.runHere(project), true);
    assert.equal(await offer.runHere(project), true);
    assert.equal(shown.length, 1);
    assert.match(shown[0], /dev container/);
  });

  it('"Always Run Here" is kept in the workspace’s state: a new window does not ask again', async () => {
    const state = memento();
    answers.push('Always Run Here');
    assert.equal(await new ContainerOffer({ workspaceState: state }, () => true).runHere(project), true);
    assert.equal(await new ContainerOffer({ workspaceState: state }, () => true).runHere(project), true);
    assert.equal(shown.length, 1);
  });

  it('closing the dialog runs nothing', async () => {
    answers.push(undefined);
    assert.equal(await new ContainerOffer({ workspaceState: memento() }, () => true).runHere(project), false);
  });

  it('"Reopen in Container" hands over to Dev Containers, or says which extension is needed', async () => {
    const offer = new ContainerOffer({ workspaceState: memento() }, () => true);
    answers.push('Reopen in Container', undefined);
    assert.equal(await offer.runHere(project), false);
    assert.match(shown[1], /ms-vscode-remote\.remote-containers/);
    let reopened = 0;
    const command = vscode.commands.registerCommand('remote-containers.reopenInContainer', () => void reopened++);
    try {
      answers.push('Reopen in Container');
      assert.equal(await offer.runHere(project), false);
      assert.equal(reopened, 1);
    } finally {
      command.dispose();
    }
  });

  it('does not ask in a remote window, nor for a project without a dev container', async () => {
    assert.equal(await new ContainerOffer({ workspaceState: memento() }, () => false).runHere(project), true);
    assert.equal(await new ContainerOffer({ workspaceState: memento() }, () => true).runHere(mkdtempSync(join(tmpdir(), 'pipewright-plain-'))), true);
    assert.deepEqual(shown, []);
  });
});
