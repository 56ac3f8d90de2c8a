// The extension as users get it, in a real VS Code (code-server + Chromium): the VSIX that
// `npm run package` builds installs, activates and runs a pipeline with the runtime and the native
// parts it carries (DuckDB, esbuild); and an untrusted folder shows its pipelines but runs nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openEditor, openFile, runCommand, screenshot } from './code-server.ts';
import { exampleWorkspace } from './workspaces.ts';

const REPO = join(import.meta.dirname, '../..');

/** The VSIX for this machine: PIPEWRIGHT_VSIX when CI built it already, else built here. */
function vsixFile(t: import('node:test').TestContext): string {
  const given = process.env.PIPEWRIGHT_VSIX;
  if (given && existsSync(given)) return given;
  const out = mkdtempSync(join(tmpdir(), 'pipewright-vsix-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(REPO, 'scripts/package.mjs'), '--out', out], { stdio: 'inherit' });
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
  return join(out, `${pkg.name}-${process.platform}-${process.arch}-${pkg.version}.vsix`);
}

test('the packaged VSIX installs into code-server, activates on a project and runs a pipeline with what it carries', { timeout: 400_000 }, async (t) => {
  const vsix = vsixFile(t);
  t.diagnostic(`VSIX: ${vsix}, ${(statSync(vsix).size / 1024 / 1024).toFixed(1)} MB`);
  const root = exampleWorkspace();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const { page, log } = await openEditor(t, root, { vsix });
  try {
    await page.locator('.activitybar a.action-label[aria-label^="Pipewright"]').click();
    await page.locator('.monaco-list-row', { hasText: 'hello' }).first().waitFor({ timeout: 60_000 });

    // VS Code's own measure of the activation, from its Running Extensions view.
    await runCommand(page, 'Developer: Show Running Extensions');
    const entry = page
      .locator('.monaco-list-row', { hasText: 'Pipewright' })
      .filter({ hasText: /\d+\s*ms/ })
      .first();
    await entry.waitFor({ timeout: 30_000 });
    const activation = /(\d+)\s*ms/.exec((await entry.textContent()) ?? '')?.[1];
    assert.ok(activation, 'the Running Extensions view shows an activation time');
    t.diagnostic(`activation: ${activation} ms`);
    const icon = decodeURIComponent((await entry.locator('img.icon').getAttribute('src')) ?? '');
    assert.match(icon, /pipewright-0\.1\.0\/media\/icon\.png/, "the extension's icon is the one it carries");
    await screenshot(page, 'vsix-running-extensions');
    await runCommand(page, 'View: Close All Editors');

    // A run through the bundled runtime: TypeScript compiled by the VSIX's esbuild, SQL on its DuckDB.
    await runCommand(page, 'Pipewright: Run Pipeline');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'hello' }).first().click();
    await page.locator('.part.panel', { hasText: 'Pipewright: hello' }).first().waitFor({ timeout: 30_000 });
    const history = join(root, '.pipewright/history/runs.jsonl');
    const finished = () => (existsSync(history) ? readFileSync(history, 'utf8') : '');
    for (let i = 0; i < 300 && !/"kind":"run-finished"/.test(finished()); i++) await new Promise((r) => setTimeout(r, 200));
    assert.match(finished(), /"kind":"run-finished".*"status":"completed"/, finished());
    await page.locator('.monaco-list-row', { hasText: 'hello' }).first().click();
    await page.locator('.monaco-list-row', { hasText: 'count_rows' }).filter({ hasText: 'completed' }).first().waitFor({ timeout: 30_000 });

    // The getting-started walkthrough, and the commands its steps use: Pick Profile…, New Pipeline….
    await runCommand(page, 'Welcome: Open Walkthrough');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Pipewright' }).first().click();
    for (const step of ['Create or open a project', 'Pick a profile', 'Run your first pipeline', 'Open its DAG']) {
      await page.locator('.getting-started-step', { hasText: step }).first().waitFor({ timeout: 30_000 });
    }
    await screenshot(page, 'walkthrough');
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Pipewright: Pick Profile');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'dev' }).first().click();
    const settings = join(root, '.vscode/settings.json');
    const profileSet = () => existsSync(settings) && /"pipewright\.profile": "dev"/.test(readFileSync(settings, 'utf8'));
    for (let i = 0; i < 100 && !profileSet(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(profileSet(), `the workspace settings say which profile runs use: ${existsSync(settings) ? readFileSync(settings, 'utf8') : 'no .vscode/settings.json'}`);
    await runCommand(page, 'Pipewright: New Pipeline');
    await page.locator('.quick-input-widget', { hasText: 'Name of the new pipeline' }).waitFor();
    await page.locator('.quick-input-widget input').fill('nightly_totals');
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: 'metadata.yaml' }).first().waitFor({ timeout: 30_000 });
    assert.match(readFileSync(join(root, 'pipelines/nightly_totals/metadata.yaml'), 'utf8'), /^uuid: nightly_totals$/m);
    await page.locator('.monaco-list-row', { hasText: 'nightly_totals' }).first().waitFor({ timeout: 30_000 });
  } catch (error) {
    await page.screenshot({ path: join(tmpdir(), 'pipewright-e2e-failure.png') }).catch(() => undefined);
    (error as Error).message += `\n(screenshot: ${join(tmpdir(), 'pipewright-e2e-failure.png')})\ncode-server log:\n${log.join('').slice(-3000)}`;
    throw error;
  }
});

test('in an untrusted folder the pipelines and their problems show, and nothing can run', { timeout: 240_000 }, async (t) => {
  const root = exampleWorkspace();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // A pipeline of 500 blocks (each linked to the one and the three before it), for the DAG.
  mkdirSync(join(root, 'pipelines/wide'));
  const blocks = Array.from({ length: 500 }, (_, i) => {
    const upstream = i === 0 ? [] : [`b${i - 1}`, ...(i > 2 ? [`b${i - 3}`] : [])];
    return `- uuid: b${i}\n  type: ${i === 0 ? 'data_loader' : 'transformer'}\n  language: sql\n  upstream_blocks: [${upstream.join(', ')}]`;
  });
  writeFileSync(join(root, 'pipelines/wide/metadata.yaml'), `blocks:\n${blocks.join('\n')}\nname: wide\nuuid: wide\n`);
  mkdirSync(join(root, 'pipelines/broken'));
  writeFileSync(
    join(root, 'pipelines/broken/metadata.yaml'),
    'blocks:\n- uuid: make_rows\n  type: data_loader\n  language: typescript\n  upstream_blocks: [missing_block]\nname: broken\nuuid: broken\n',
  );
  const { page, log } = await openEditor(t, root, { untrusted: true });
  try {
    await page.locator('.activitybar a.action-label[aria-label^="Pipewright"]').click();
    const row = (text: string) => page.locator('.monaco-list-row', { hasText: text }).first();
    await row('hello').waitFor({ timeout: 60_000 });
    await row('hello').click();
    await row('make_rows').waitFor();

    // A block file: the lenses that read are there, the ones that run are not.
    await openFile(page, 'data_loaders/make_rows.ts');
    const lenses = page.locator('.codelens-decoration a');
    await page.locator('.codelens-decoration a', { hasText: 'Preview output' }).first().waitFor({ timeout: 30_000 });
    const titles = await Promise.all(Array.from({ length: await lenses.count() }, (_, i) => lenses.nth(i).textContent()));
    assert.ok(!titles.some((title) => /Run/.test(title ?? '')), `no run lens: ${titles.join(', ')}`);
    // The file is a block of two pipelines (hello and broken): each row of lenses says which.
    for (const pipeline of ['hello', 'broken']) assert.ok(titles.includes(`Preview output (${pipeline})`), `a lens row for ${pipeline}: ${titles.join(', ')}`);

    // The language server still checks the project: the broken link shows in the Problems panel.
    // The 500-block pipeline below has 500 problems of its own (no block files), so the panel is
    // filtered: in a virtual list, a row scrolled out of view is not there to find.
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    await page.locator('.markers-panel').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+F'); // the panel's filter box (problems.action.focusFilter)
    await page.keyboard.type('missing_block');
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'missing_block' }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'untrusted-problems');

    // A 500-block pipeline's DAG (reading is allowed here): every block drawn, and it still answers.
    await runCommand(page, 'View: Close All Editors');
    const started = Date.now();
    await runCommand(page, 'Pipewright: Open DAG');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'wide' }).first().click();
    const dag = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await dag.locator('g.block[data-uuid="b499"]').waitFor({ timeout: 60_000 });
    t.diagnostic(`500-block DAG drawn ${Date.now() - started} ms after the command`);
    assert.equal(await dag.locator('g.block').count(), 500);
    // Too big to show whole at a readable size: it opens readable, on its first block.
    const scale = async () => Number(/scale\(([\d.]+)\)/.exec((await dag.locator('#layer').getAttribute('transform')) ?? '')?.[1]);
    assert.ok((await scale()) >= 0.4, `opens at a readable scale, not ${await scale()}`);
    const canvas = (await dag.locator('#canvas').boundingBox())!;
    const firstBlock = (await dag.locator('g.block[data-uuid="b0"]').boundingBox())!;
    assert.ok(
      firstBlock.x >= canvas.x &&
        firstBlock.x + firstBlock.width <= canvas.x + canvas.width &&
        firstBlock.y >= canvas.y &&
        firstBlock.y + firstBlock.height <= canvas.y + canvas.height,
      'the first block is in view',
    );
    await dag.locator('#fit').click({ modifiers: ['Shift'] });
    for (let i = 0; i < 50 && (await scale()) >= 0.4; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await scale()) < 0.4, 'Shift+Fit shows the whole graph');
    const before = await dag.locator('#layer').getAttribute('transform');
    await dag.locator('#zoom-in').click();
    for (let i = 0; i < 50 && (await dag.locator('#layer').getAttribute('transform')) === before; i++) await new Promise((r) => setTimeout(r, 100));
    assert.notEqual(await dag.locator('#layer').getAttribute('transform'), before, 'zoom answers on 500 blocks');
    await screenshot(page, 'dag-500-blocks');
    await runCommand(page, 'View: Close All Editors');

    // The run commands are not offered in the palette.
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('>Pipewright: Run');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Pipewright' })
      .first()
      .waitFor({ timeout: 10_000 })
      .catch(() => undefined);
    const offered = page.locator('.quick-input-list .monaco-list-row', { hasText: /Pipewright: Run (Pipeline|Block)/ });
    assert.equal(await offered.count(), 0, 'Run Pipeline and Run Block are not in the palette');
    await page.keyboard.press('Escape');
    assert.equal(existsSync(join(root, '.pipewright/history/runs.jsonl')), false, 'nothing ran');
  } catch (error) {
    await page.screenshot({ path: join(tmpdir(), 'pipewright-e2e-failure.png') }).catch(() => undefined);
    (error as Error).message += `\n(screenshot: ${join(tmpdir(), 'pipewright-e2e-failure.png')})\ncode-server log:\n${log.join('').slice(-3000)}`;
    throw error;
  }
});
