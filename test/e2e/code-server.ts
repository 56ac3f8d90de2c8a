// A real VS Code for end-to-end tests: code-server (the same workbench and extension host) with this
// repository installed as the extension, driven by Debian's Chromium through playwright-core. Both come
// from the cache that scripts/e2e-setup.sh fills, outside the project's dependencies.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import type { TestContext } from 'node:test';
import { chromiumFrom, type Browser, type Locator, type Page } from './playwright.ts';
import { freePort } from '../../runtime/connectors/embedded-postgres.ts';

const REPO = join(import.meta.dirname, '../..');
export const CACHE = process.env.PIPEWRIGHT_E2E_CACHE ?? join(process.env.HOME ?? tmpdir(), '.cache/pipewright-e2e');
const CHROMIUM = process.env.PIPEWRIGHT_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Says what to install when the cache is not there. */
export function requireCache(): void {
  if (!existsSync(join(CACHE, 'node_modules/code-server/out/node/entry.js')) || !existsSync(CHROMIUM)) {
    throw new Error(`The end-to-end tests need code-server and Chromium: run bash scripts/e2e-setup.sh (cache: ${CACHE})`);
  }
}

/**
 * How to start the editor: the extension from a built VSIX instead of this repository; the folder
 * untrusted; or this repository as the extension under development with a mocha suite run inside the
 * extension host (`extensionTests`: the suite's index.js), the way @vscode/test-web passes them.
 */
export interface EditorOptions {
  vsix?: string;
  untrusted?: boolean;
  extensionTests?: string;
}

/** Saves a screenshot under test/e2e/screenshots/ (an artefact of the run, not committed). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(REPO, 'test/e2e/screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** A running code-server with the extension, and a browser page on a workspace folder. */
export interface Editor {
  page: Page;
  /** Requests the browser made to anything but 127.0.0.1. */
  outside: string[];
  /** Lines code-server printed (for failure messages). */
  log: string[];
  /** With `extensionTests`: the suite's exit code (0 when every test passed) once it has run. */
  tests?: Promise<number>;
  /** With `extensionTests`: what the suite printed (mocha's report). */
  testOutput: string[];
}

async function waitForHealth(url: string, server: ChildProcess, log: string[]): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (server.exitCode !== null) throw new Error(`code-server exited (${server.exitCode}):\n${log.join('')}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not answer /healthz in 30 s:\n${log.join('')}`);
}

/** Starts code-server on 127.0.0.1 and Chromium on `workspace`; everything stops when the test ends. */
export async function openEditor(t: TestContext, workspace: string, options: EditorOptions = {}): Promise<Editor> {
  requireCache();
  const home = mkdtempSync(join(tmpdir(), 'pipewright-e2e-'));
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const extensions = join(home, 'extensions');
  mkdirSync(extensions, { recursive: true });
  const codeServer = join(CACHE, 'node_modules/code-server/out/node/entry.js');
  if (options.vsix) {
    // As a user installs it: code-server's own --install-extension, from the file.
    const installed = spawnSync(process.execPath, [codeServer, '--extensions-dir', extensions, '--install-extension', options.vsix], {
      env: { ...process.env, HOME: home, EXTENSIONS_GALLERY: '{}' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (installed.status !== 0) throw new Error(`code-server --install-extension ${options.vsix} failed:\n${installed.stdout}${installed.stderr}`);
  } else if (!options.extensionTests) {
    symlinkSync(REPO, join(extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`));
  }
  const user = join(home, 'user');
  mkdirSync(join(user, 'User'), { recursive: true });
  writeFileSync(
    join(user, 'User/settings.json'),
    JSON.stringify({
      // Trust on: a folder opened for the first time is untrusted (restricted mode), with no prompt.
      'security.workspace.trust.enabled': options.untrusted === true,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.emptyWindow': false,
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'update.mode': 'none',
      'json.schemaDownload.enable': false,
      'typescript.disableAutomaticTypeAcquisition': true,
      'npm.fetchOnlinePackageInfo': false,
      'workbench.tips.enabled': false,
      'terminal.integrated.enablePersistentSessions': false,
    }),
  );
  writeFileSync(join(home, 'config.yaml'), '');
  const port = await freePort();
  const log: string[] = [];
  const server = spawn(
    process.execPath,
    [
      codeServer,
      '--config',
      join(home, 'config.yaml'),
      '--user-data-dir',
      user,
      '--extensions-dir',
      extensions,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...(options.untrusted ? [] : ['--disable-workspace-trust']),
      workspace,
    ],
    { env: { ...process.env, EXTENSIONS_GALLERY: '{}', HOME: home }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const started: { browser?: Browser } = {};
  t.after(async () => {
    await started.browser?.close().catch(() => undefined);
    try {
      process.kill(-server.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(home, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, server, log);
  const browser = (started.browser = await chromiumFrom(CACHE).launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  }));
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const outside: string[] = [];
  context.on('request', (request) => {
    const host = new URL(request.url()).hostname;
    if (!['127.0.0.1', ''].includes(host) && !request.url().startsWith('data:') && !request.url().startsWith('blob:') && !host.endsWith('vscode-cdn.net'))
      outside.push(request.url());
  });
  const page = await context.newPage();
  const testOutput: string[] = [];
  let tests: Promise<number> | undefined;
  let query = workspace.endsWith('.code-workspace') ? `workspace=${encodeURIComponent(workspace)}` : `folder=${encodeURIComponent(workspace)}`;
  if (options.extensionTests) {
    // The workbench calls these when the suite prints and when its run() settles (0 passed, 1 failed).
    let exit: (code: number) => void = () => undefined;
    tests = new Promise<number>((resolve) => (exit = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => testOutput.push(format(...args)));
    const remote = (path: string) => `vscode-remote://127.0.0.1:${port}${path}`;
    query += `&payload=${encodeURIComponent(
      JSON.stringify([
        ['extensionDevelopmentPath', remote(REPO)],
        ['extensionTestsPath', remote(options.extensionTests)],
      ]),
    )}`;
  }
  await page.goto(`${url}/?${query}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('#workbench\\.parts\\.statusbar', { timeout: 60_000 });
  return { page, outside, log, tests, testOutput };
}

/** Runs a command from the palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
}

/** Opens a workspace file by its relative path through quick open. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(relativePath);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  const name = relativePath.split('/').pop()!;
  await page.locator(`.tabs-container .tab[aria-label*="${name}"]`).first().waitFor({ timeout: 20_000 });
}

/**
 * Clicks a tree row's inline action. VS Code shows inline actions only while the row is hovered or
 * focused, and a tree refresh re-renders the row, so hover and click are retried a bounded number of times.
 */
export async function clickInlineAction(row: Locator, label: string): Promise<void> {
  const action = row.locator(`a.action-label[aria-label="${label}"]`);
  for (let attempt = 1; ; attempt++) {
    try {
      await row.hover({ timeout: 5_000 });
      await action.click({ timeout: 5_000 });
      return;
    } catch (error) {
      if (attempt >= 6) throw error;
    }
  }
}
