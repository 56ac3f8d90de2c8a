// The extension in a real VS Code (code-server + Chromium): the Pipelines view, code lenses on a block
// file, a run in a terminal that updates the tree, the DAG webview with its status and timeline, a
// backfill from the palette, a trigger turned off from the tree, the scheduler started and stopped
// from the status bar, a fan-out in the DAG and the tree, a block added from the palette.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clickInlineAction, openEditor, openFile, runCommand, screenshot } from './code-server.ts';
import { exampleWorkspace } from './workspaces.ts';

/** The example project, the small hello pipeline, and a fan-out that has run once. */
function workspace(): string {
  const root = exampleWorkspace();
  // A fan-out: a dynamic loader, a transformer run once per item (one of them skipped by a condition).
  mkdirSync(join(root, 'pipelines/fan'), { recursive: true });
  mkdirSync(join(root, 'conditionals'), { recursive: true });
  writeFileSync(
    join(root, 'pipelines/fan/metadata.yaml'),
    [
      'blocks:',
      '- uuid: ids',
      '  type: data_loader',
      '  language: typescript',
      '  configuration: { dynamic: true }',
      '  downstream_blocks: [per_id]',
      '- uuid: per_id',
      '  type: transformer',
      '  language: typescript',
      '  configuration: { reduce_output: true }',
      '  upstream_blocks: [ids]',
      'conditionals:',
      '- uuid: not_two',
      '  type: conditional',
      '  language: typescript',
      '  upstream_blocks: [per_id]',
      'name: fan',
      'uuid: fan',
      '',
    ].join('\n'),
  );
  writeFileSync(join(root, 'data_loaders/ids.ts'), "import { dataLoader } from 'pipewright';\n\nexport default dataLoader(async () => [1, 2, 3]);\n");
  writeFileSync(join(root, 'transformers/per_id.ts'), "import { transformer } from 'pipewright';\n\nexport default transformer(async (id) => [{ id: Number(id) }]);\n");
  writeFileSync(join(root, 'conditionals/not_two.ts'), "import { condition } from 'pipewright';\n\nexport default condition(async (id) => Number(id) !== 2);\n");
  const fan = spawnSync(process.execPath, [join(import.meta.dirname, '../../dist/cli.js'), 'run', 'fan'], { cwd: root, encoding: 'utf8' });
  assert.equal(fan.status, 0, fan.stdout + fan.stderr);
  return root;
}

test(
  'the Pipelines view, code lenses, a run in a terminal, the DAG, a backfill, a trigger turned off, the scheduler and a dev container added, in a real VS Code',
  { timeout: 240_000 },
  async (t) => {
    const root = workspace();
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const { page, outside, log } = await openEditor(t, root);
    try {
      // The view container and the tree: pipelines, then blocks in run order with their types.
      await page.locator('.activitybar a.action-label[aria-label^="Pipewright"]').click();
      const row = (text: string) => page.locator('.monaco-list-row', { hasText: text }).first();
      for (const pipeline of ['api_to_gcs', 'api_to_postgres', 'gcs_to_bigquery', 'hello']) await row(pipeline).waitFor({ timeout: 60_000 });
      await row('hello').click();
      await row('make_rows').waitFor();
      assert.match((await row('make_rows').textContent()) ?? '', /data_loader/);
      assert.match((await row('count_rows').textContent()) ?? '', /transformer · sql/);

      // Code lenses on the block file; ▶ Run block runs it in a terminal.
      await openFile(page, 'data_loaders/make_rows.ts');
      const lens = (text: string) => page.locator('.codelens-decoration a', { hasText: text }).first();
      await lens('Run with upstream').waitFor({ timeout: 30_000 });
      await lens('Preview output').waitFor();
      await lens('Run block').click();
      // The run has its own terminal (the runtime's output, kept after it exits).
      await page.locator('.part.panel', { hasText: 'Pipewright: hello/make_rows' }).first().waitFor({ timeout: 30_000 });

      // The run finishes, and the tree shows the block's status from the runtime's events.
      await page.locator('.monaco-list-row', { hasText: 'make_rows' }).filter({ hasText: 'completed' }).first().waitFor({ timeout: 90_000 });
      const history = readFileSync(join(root, '.pipewright/history/runs.jsonl'), 'utf8');
      assert.match(history, /"kind":"run-finished".*"status":"completed"/);

      // Preview output: the block's latest output as a table, with column types and the row count.
      await lens('Preview output').click();
      const preview = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await preview.locator('table th', { hasText: 'n' }).first().waitFor({ timeout: 30_000 });
      assert.match((await preview.locator('table th').first().textContent()) ?? '', /^n\s*(BIGINT|INTEGER|DOUBLE)$/);
      assert.equal(await preview.locator('table tbody tr').count(), 3);
      assert.match((await preview.locator('p.meta').textContent()) ?? '', /^3 of 3 rows · run /);
      await screenshot(page, 'preview-output');
      await runCommand(page, 'View: Close All Editors');

      // The pipeline's inline action opens the DAG beside the editor, laid out, with status.
      await clickInlineAction(row('hello'), 'Open DAG');
      const webview = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await webview.locator('g.block').nth(1).waitFor({ timeout: 30_000 });
      assert.equal(await webview.locator('g.block').count(), 2);
      await webview.locator('g.block[data-uuid="make_rows"][data-status="completed"]').waitFor({ timeout: 15_000 });
      await webview.locator('#timeline .bar-row', { hasText: 'make_rows' }).waitFor();
      const loader = await webview.locator('g.block[data-uuid="make_rows"]').getAttribute('transform');
      const transformer = await webview.locator('g.block[data-uuid="count_rows"]').getAttribute('transform');
      const x = (transform: string | null) => Number(/translate\(([-\d.]+)/.exec(transform ?? '')?.[1]);
      assert.ok(x(loader) < x(transformer), 'the layout puts the upstream block left of its downstream block');
      await screenshot(page, 'dag-hello');
      // A click on a block opens its file.
      await webview.locator('g.block[data-uuid="count_rows"]').click();
      await page.locator('.tab', { hasText: 'count_rows.sql' }).first().waitFor({ timeout: 30_000 });

      // A fan-out in the DAG: the dynamic block is a stack, the block run per item shows its count of
      // runs and expands into one node per run on click, the conditional hangs off its block.
      await runCommand(page, 'View: Close All Editors');
      await clickInlineAction(row('fan'), 'Open DAG');
      await webview.locator('g.block.dynamic[data-uuid="ids"]').waitFor({ timeout: 30_000 });
      await webview.locator('g.block.attached[data-uuid="not_two"]').waitFor();
      const badge = webview.locator('g.block[data-uuid="per_id"] .badge');
      await webview.locator('g.block[data-uuid="per_id"] .badge text', { hasText: '×3' }).waitFor({ timeout: 15_000 });
      await badge.click();
      await webview.locator('g.block.run').nth(2).waitFor();
      const runNodes = webview.locator('g.block.run');
      const shown: string[] = [];
      for (let i = 0; i < (await runNodes.count()); i++) shown.push(`${await runNodes.nth(i).getAttribute('data-uuid')} ${await runNodes.nth(i).getAttribute('data-status')}`);
      assert.deepEqual(shown, ['per_id:0 completed', 'per_id:1 condition_failed', 'per_id:2 completed']);
      await screenshot(page, 'dag-fan-out');
      // The tree shows the runs under their block, and the conditional attached to it.
      await row('fan').click();
      // A block item opens its file on click; its twistie shows what is under it.
      await row('per_id').click();
      await row('per_id').locator('.monaco-tl-twistie').click();
      await page.locator('.monaco-list-row', { hasText: 'per_id:1' }).filter({ hasText: 'condition_failed' }).first().waitFor({ timeout: 15_000 });
      await page.locator('.monaco-list-row', { hasText: 'not_two' }).filter({ hasText: 'condition on per_id' }).first().waitFor();

      // "Add Block…" from the palette, with per_id's file open (the tree opened it): a callback, offered
      // to per_id, written from its template.
      await page.locator('.tab', { hasText: 'per_id.ts' }).first().waitFor({ timeout: 15_000 });
      await runCommand(page, 'Pipewright: Add Block');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Callback' }).first().click();
      await page.locator('.quick-input-widget', { hasText: 'Name of the new callback' }).waitFor();
      await page.locator('.quick-input-widget input').fill('tell');
      await page.keyboard.press('Enter');
      // The block whose file is open comes checked.
      await page.locator('.quick-input-list .monaco-list-row[aria-checked="true"]', { hasText: 'per_id' }).first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tab', { hasText: 'tell.ts' }).first().waitFor({ timeout: 30_000 });
      assert.match(
        readFileSync(join(root, 'pipelines/fan/metadata.yaml'), 'utf8'),
        /^callbacks:\n- configuration: \{\}\n(.*\n)*? {2}upstream_blocks:\n {2}- per_id\n {2}uuid: tell$/m,
      );
      assert.match(readFileSync(join(root, 'callbacks/tell.ts'), 'utf8'), /export default callback\(\{/);
      // With no block file open, the commands below ask which pipeline; the tree folds (its Collapse All:
      // a click on a row could land on another as the tree redraws after the new block).
      await page.locator('.pane-header', { hasText: 'Pipelines' }).first().hover();
      await page.locator('.pane-header a.action-label[aria-label="Collapse All"]').first().click();
      await runCommand(page, 'View: Close All Editors');

      // "Backfill Pipeline…" from the palette: pipeline, dates and interval, then the number of runs
      // before anything starts; the runs go in a terminal and land in the history.
      await runCommand(page, 'Pipewright: Backfill Pipeline');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'hello' }).first().click();
      const input = page.locator('.quick-input-widget input');
      await page.locator('.quick-input-widget', { hasText: 'First execution date' }).waitFor();
      await input.fill('2021-01-01');
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget', { hasText: 'Last execution date' }).waitFor();
      await input.fill('2021-01-03');
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'day' }).first().click();
      const dialog = page.locator('.monaco-dialog-box', { hasText: 'Backfill hello: 3 runs to make' });
      await dialog.waitFor({ timeout: 30_000 });
      await dialog.locator('.monaco-button', { hasText: 'Start' }).first().click();
      await page.locator('.part.panel', { hasText: 'Pipewright: Backfill hello' }).first().waitFor({ timeout: 30_000 });
      // Counted by the backfill's own runs: the history also holds the fan-out run and the block run
      // (counting every completed run stopped waiting while the third backfill run was still going).
      const backfilled = () => {
        const events = readFileSync(join(root, '.pipewright/history/runs.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { kind: string; runId: string; backfill?: string; status?: string });
        const ofBackfill = new Set(events.filter((e) => e.kind === 'run-started' && e.backfill).map((e) => e.runId));
        return events.filter((e) => e.kind === 'run-finished' && e.status === 'completed' && ofBackfill.has(e.runId)).length;
      };
      for (let i = 0; i < 300 && backfilled() < 3; i++) await new Promise((r) => setTimeout(r, 200));
      assert.equal(backfilled(), 3, 'the three backfill runs completed');
      // The Runs view lists them, newest first, with how they started.
      await page.locator('.monaco-list-row', { hasText: 'hello · 2021-01-03' }).filter({ hasText: 'backfill' }).first().waitFor({ timeout: 30_000 });

      // A trigger is turned off from the tree: only its status changes in triggers.yaml.
      const triggersFile = join(root, 'pipelines/gcs_to_bigquery/triggers.yaml');
      const before = readFileSync(triggersFile, 'utf8');
      await row('gcs_to_bigquery').click();
      await row('Triggers').click();
      await row('daily_gcs_to_bigquery').waitFor();
      assert.match((await row('daily_gcs_to_bigquery').textContent()) ?? '', /@daily · active · next/);
      // The tree may redraw under the pointer (the backfill's history lands); click again until the file says so.
      for (let attempt = 1; attempt <= 3 && readFileSync(triggersFile, 'utf8') === before; attempt++) {
        await clickInlineAction(row('daily_gcs_to_bigquery'), 'Deactivate Trigger');
        for (let i = 0; i < 25 && readFileSync(triggersFile, 'utf8') === before; i++) await new Promise((r) => setTimeout(r, 200));
      }
      await page.locator('.monaco-list-row', { hasText: 'daily_gcs_to_bigquery' }).filter({ hasText: 'inactive' }).first().waitFor({ timeout: 30_000 });
      assert.equal(readFileSync(triggersFile, 'utf8'), before.replace('status: active', 'status: inactive'));

      // The scheduler starts and stops from the status bar, in its own terminal.
      await page.locator('.statusbar-item', { hasText: 'Scheduler off' }).first().click();
      await page.locator('.statusbar-item', { hasText: 'Scheduler on' }).first().waitFor({ timeout: 30_000 });
      await page.locator('.part.panel', { hasText: 'Pipewright: scheduler' }).first().waitFor({ timeout: 30_000 });
      await page.locator('.statusbar-item', { hasText: 'Scheduler on' }).first().click();
      await page.locator('.statusbar-item', { hasText: 'Scheduler off' }).first().waitFor({ timeout: 30_000 });

      // "Add Dev Container" writes the container's files and shows the compose file. code-server's
      // window is itself remote (its extension host runs on the server), so a run goes on there
      // without the offer to reopen in the container that a local window gets.
      await runCommand(page, 'Pipewright: Add Dev Container');
      await page.locator('.notifications-toasts', { hasText: 'Added a dev container' }).first().waitFor({ timeout: 30_000 });
      await page.locator('.tab', { hasText: 'docker-compose.yml' }).first().waitFor();
      assert.match(readFileSync(join(root, '.devcontainer/devcontainer.json'), 'utf8'), /"service": "workspace"/);
      assert.match(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), /profiles: \[scheduler\]/);
      await runCommand(page, 'Pipewright: Run Pipeline');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'hello' }).first().click();
      await page.locator('.part.panel', { hasText: 'Pipewright: hello' }).first().waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('.monaco-dialog-box').count(), 0);

      assert.deepEqual(outside, [], 'the editor makes no request outside 127.0.0.1');
    } catch (error) {
      await page.screenshot({ path: join(tmpdir(), 'pipewright-e2e-failure.png') }).catch(() => undefined);
      (error as Error).message += `\n(screenshot: ${join(tmpdir(), 'pipewright-e2e-failure.png')})\ncode-server log:\n${log.join('').slice(-3000)}`;
      throw error;
    }
  },
);
