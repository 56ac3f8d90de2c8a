import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pipewright } from '../helpers/cli.ts';
import { applyWorkspaceEdit, lspSession, type WorkspaceEdit } from '../helpers/lsp-client.ts';
import { lines } from '../helpers/project-tree.ts';

// Block files in the editor: what a hover says about the block and its latest run (after a real
// `pipewright run`), and the checks of what the code reads: env_var in SQL, profiles in TypeScript.

const LOADER = lines("import { dataLoader } from 'pipewright';", 'export default dataLoader(async () => [{ id: 1, fare: 9.5 }, { id: 2, fare: 4 }]);');
const SQL = 'SELECT id, fare FROM {{ df_1 }} WHERE fare > 5\n';

const PIPELINE = (uuid: string) =>
  lines(
    'blocks:',
    '- uuid: load',
    '  type: data_loader',
    '  language: typescript',
    '  downstream_blocks: [pick]',
    '- uuid: pick',
    '  type: transformer',
    '  language: sql',
    '  upstream_blocks: [load]',
    `name: ${uuid}`,
    `uuid: ${uuid}`,
  );

type HoverResult = { contents: { value: string } } | null;

async function session(t: import('node:test').TestContext) {
  const { client, root } = await lspSession(t, {
    'io_config.yaml': lines('version: 0.1.1', 'default:', '  PIPEWRIGHT_EMBEDDED: true', 'warehouse:', '  PIPEWRIGHT_EMBEDDED: true'),
    'data_loaders/load.ts': LOADER,
    'transformers/pick.sql': SQL,
    'pipelines/daily/metadata.yaml': PIPELINE('daily'),
    'pipelines/hourly/metadata.yaml': PIPELINE('hourly'),
  });
  return { client, root };
}

test('hover in a block file: the pipelines sharing it and how its latest run went; in SQL, which block df_1 is', async (t) => {
  const { client, root } = await session(t);
  const ran = pipewright(['run', 'daily'], { cwd: root });
  assert.equal(ran.code, 0, ran.stdout + ran.stderr);

  const loader = join(root, 'data_loaders/load.ts');
  client.open(loader, LOADER, 'typescript');
  const onWrapper = await client.at<HoverResult>('textDocument/hover', loader, 1, 18);
  assert.ok(onWrapper, 'a hover on dataLoader');
  const text = onWrapper.contents.value;
  assert.match(text, /data_loaders\/load\.ts\*\* · shared by 2 pipelines/);
  assert.match(text, /Pipeline \*\*daily\*\*: block `load` · data_loader {2}\nUpstream: none · Downstream: pick {2}\nLast run: ✓ completed · .* · 2 rows \(run `[\w-]+`\)/);
  assert.match(text, /Pipeline \*\*hourly\*\*: block `load` · data_loader {2}\nUpstream: none · Downstream: pick {2}\nNot run yet/);
  assert.equal(await client.at('textDocument/hover', loader, 1, 45), null, 'no hover inside the code');

  const sql = join(root, 'transformers/pick.sql');
  client.open(sql, SQL, 'sql');
  const onDf = await client.at<HoverResult>('textDocument/hover', sql, 0, 26);
  assert.match(onDf!.contents.value, /`df_1` in \*\*daily\*\*: the output of `load` \(data_loader\) {2}\nLast run: ✓ completed/);
  assert.match(onDf!.contents.value, /`df_1` in \*\*hourly\*\*: the output of `load` \(data_loader\) {2}\nNot run yet/);

  const metadata = join(root, 'pipelines/daily/metadata.yaml');
  client.open(metadata, PIPELINE('daily'));
  const onBlock = await client.at<HoverResult>('textDocument/hover', metadata, 8, 21);
  assert.match(onBlock!.contents.value, /\*\*load\*\* · data_loader[\s\S]*Last run: ✓ completed · .* · 2 rows/);
  const onPick = await client.at<HoverResult>('textDocument/hover', metadata, 4, 23);
  assert.match(onPick!.contents.value, /\*\*pick\*\* · transformer · sql[\s\S]*Last run: ✓ completed · .* · 1 rows/);
});

test('what block code reads is checked as it is typed: env_var in SQL (with the quoting fix), profiles named in TypeScript', async (t) => {
  const { client, root } = await session(t);
  const sql = join(root, 'transformers/pick.sql');
  client.open(sql, SQL, 'sql');
  const reported = client.diagnostics(sql, (d) => d.diagnostics.length === 2);
  const typed = "SELECT id FROM {{ df_1 }} WHERE region = '{{ env_var(REGION) }}' AND t = '{{ env_var('TENANT') }}'\n";
  client.change(sql, 2, typed);
  const { diagnostics } = await reported;
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character]),
    [
      ['unquoted-env-var', 1, 0, 53],
      ['missing-env-var', 2, 0, 74],
    ],
  );
  assert.match(diagnostics[1].message, /"TENANT" is set nowhere here/);
  const actions = await client.codeActions<{ title: string; edit: WorkspaceEdit }[]>(sql, [diagnostics[0]]);
  assert.deepEqual(
    actions.map((a) => a.title),
    ["Quote the variable name: env_var('REGION')"],
  );
  // The editor applies the fix to the open document; here it lands on disk, as a save would.
  writeFileSync(sql, typed);
  applyWorkspaceEdit(actions[0].edit);
  assert.match(readFileSync(sql, 'utf8'), /env_var\('REGION'\)/);

  const loader = join(root, 'data_loaders/load.ts');
  client.open(loader, LOADER, 'typescript');
  const profile = client.diagnostics(loader, (d) => d.diagnostics.length > 0);
  client.change(loader, 2, LOADER.replace('async () =>', "async (ctx) => (await ctx.io.postgres('warehous')).query('select 1') &&"));
  const [problem] = (await profile).diagnostics;
  assert.deepEqual([problem.code, problem.severity, problem.range.start.line, problem.range.start.character], ['unknown-profile', 2, 1, 65]);
  assert.match(problem.message, /Profile "warehous" is not in io_config.yaml \(profiles: default, warehouse\)/);
  const mended = client.diagnostics(loader, (d) => d.diagnostics.length === 0);
  client.change(loader, 3, LOADER.replace('async () =>', "async (ctx) => (await ctx.io.postgres('warehouse')).query('select 1') &&"));
  await mended;
});
