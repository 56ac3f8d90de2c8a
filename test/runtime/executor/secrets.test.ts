import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pipewright } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';

function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? everyFile(path) : [path];
  });
}

test('a resolved secret never reaches the terminal, the logs, the events or the history', (t) => {
  const root = pipelineProject(
    t,
    {
      rows: {
        code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async (ctx) => [{ who: 'admin', password: (await ctx.config('dev')).POSTGRES_PASSWORD }]);\n",
      },
      leak: {
        code: [
          "import { dataLoader } from 'pipewright';",
          'export default dataLoader(async (ctx) => {',
          "  const settings = await ctx.config('dev');",
          "  ctx.log.info('connecting with', settings.POSTGRES_PASSWORD);",
          '  console.log(`password=${String(settings.POSTGRES_PASSWORD)}`);',
          '  throw new Error(`login failed for ${String(settings.POSTGRES_PASSWORD)}`);',
          '});',
        ].join('\n'),
      },
    },
    {
      files: {
        'io_config.yaml': 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\ndev:\n  POSTGRES_PASSWORD: "{{ env_var(\'PW_SECRET\') }}"\n',
        '.env': 'PW_SECRET=Sup3r-Secret-42\n',
      },
    },
  );
  const events = join(root, 'events.jsonl');
  const run = pipewright(['run', 'p', '--events', events], { cwd: root });
  assert.equal(run.code, 1);
  const outputs = [
    run.stdout,
    run.stderr,
    readFileSync(events, 'utf8'),
    ...everyFile(join(root, '.pipewright'))
      .filter((f) => /\.(txt|jsonl)$/.test(f))
      .map((f) => readFileSync(f, 'utf8')),
  ];
  for (const text of outputs) assert.ok(!text.includes('Sup3r-Secret-42'), text);
  assert.match(run.stdout, /connecting with \*\*\*\*\*\*/);
  assert.match(run.stdout, /login failed for \*\*\*\*\*\*/);
  const preview = pipewright(['preview', 'p', 'rows'], { cwd: root });
  assert.equal(preview.code, 0, preview.stderr);
  assert.match(preview.stdout, /\*\*\*\*\*\*/);
  assert.ok(!preview.stdout.includes('Sup3r-Secret-42'));
  const logs = pipewright(['logs', JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout)[0].id], { cwd: root }).stdout;
  assert.match(logs, /password=\*\*\*\*\*\*/);
});

test("blocks read the project's .env and dev.env (process.env in TypeScript, env_var in SQL); the real environment wins, and secret-named values stay hidden", (t) => {
  const root = pipelineProject(
    t,
    {
      settings: {
        code: [
          "import { dataLoader } from 'pipewright';",
          'export default dataLoader(async (ctx) => {',
          "  ctx.log.info('token is', process.env.API_TOKEN);",
          '  return [{ region: process.env.REGION, tenant: process.env.TENANT_ID, shell: process.env.PW_FROM_SHELL }];',
          '});',
        ].join('\n'),
      },
      sql_env: { language: 'sql', code: "select '{{ env_var('REGION') }}' as region, '{{ env_var('PW_FROM_SHELL') }}' as shell\n" },
    },
    { files: { '.env': 'API_TOKEN=tok-123456789\nTENANT_ID=7\nPW_FROM_SHELL=from-dotenv\n', 'dev.env': 'REGION=eu\nTENANT_ID=0\n' } },
  );
  const run = pipewright(['run', 'p'], { cwd: root, env: { PW_FROM_SHELL: 'from-shell' } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /token is \*\*\*\*\*\*/);
  assert.ok(!run.stdout.includes('tok-123456789'));
  const preview = pipewright(['preview', 'p', 'settings', '--json'], { cwd: root });
  assert.equal(preview.code, 0, preview.stderr);
  assert.deepEqual(JSON.parse(preview.stdout).preview, [{ region: 'eu', tenant: '7', shell: 'from-shell' }]);
  const sql = pipewright(['preview', 'p', 'sql_env', '--json'], { cwd: root });
  assert.deepEqual(JSON.parse(sql.stdout).preview, [{ region: 'eu', shell: 'from-shell' }], 'env_var in SQL reads the same way');
});

test('a secret is masked in any letter case, and as a column name in the history', (t) => {
  const secret = 'HunterSecret42';
  const root = pipelineProject(
    t,
    {
      header: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => [{ [process.env.DB_PASSWORD!]: 1 }]);\n" },
      folded: {
        code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => { throw new Error(`column ${process.env.DB_PASSWORD!.toLowerCase()} does not exist`); });\n",
      },
    },
    { files: { '.env': `DB_PASSWORD=${secret}\n` } },
  );
  const run = pipewright(['run', 'p', '--concurrency', '1'], { cwd: root });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /column \*{6} does not exist/);
  const history = readFileSync(join(root, '.pipewright/history/runs.jsonl'), 'utf8');
  assert.doesNotMatch(history + run.stdout + run.stderr, new RegExp(secret, 'i'));
  assert.match(history, /"columns":\[\{"name":"\*{6}"/);
});

test('a run resolves .env and io_config.yaml once: a block that edits them does not change what later blocks get; an unknown or unusable profile fails only the block that uses it', (t) => {
  const root = pipelineProject(
    t,
    {
      edit: {
        code: [
          "import { writeFileSync } from 'node:fs';",
          "import { dataLoader } from 'pipewright';",
          'export default dataLoader(async (ctx) => {',
          "  const before = (await ctx.config('dev')).HOST;",
          "  writeFileSync('io_config.yaml', 'version: 0.1.1\\ndefault:\\n  PIPEWRIGHT_EMBEDDED: true\\ndev:\\n  HOST: edited\\n');",
          "  writeFileSync('.env', 'PW_HOST=edited\\n');",
          '  return [{ before }];',
          '});',
        ].join('\n'),
      },
      after: {
        upstream: ['edit'],
        code: "import { transformer } from 'pipewright';\nexport default transformer(async (rows, ctx) => [{ host: (await ctx.config('dev')).HOST, env: process.env.PW_HOST }]);\n",
      },
      unknown: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async (ctx) => [await ctx.config('nope')]);\n" },
      unset: { code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async (ctx) => [await ctx.config('cloud')]);\n" },
    },
    {
      files: {
        'io_config.yaml': 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true\ndev:\n  HOST: "{{ env_var(\'PW_HOST\') }}"\ncloud:\n  KEY: "{{ env_var(\'PW_UNSET_KEY\') }}"\n',
        '.env': 'PW_HOST=from-dotenv\n',
      },
    },
  );
  const run = pipewright(['run', 'p', '--concurrency', '1'], { cwd: root });
  assert.equal(run.code, 1);
  const preview = (block: string) => JSON.parse(pipewright(['preview', 'p', block, '--json'], { cwd: root }).stdout).preview;
  assert.deepEqual(preview('edit'), [{ before: 'from-dotenv' }]);
  assert.deepEqual(preview('after'), [{ host: 'from-dotenv', env: 'from-dotenv' }]);
  const runs = JSON.parse(pipewright(['runs', '--json'], { cwd: root }).stdout);
  const errorOf = (block: string) => runs[0].blocks.find((b: { block: string }) => b.block === block).error.message;
  assert.match(errorOf('unknown'), /^io_config\.yaml:1:1: error: Cannot find profile "nope" in io_config\.yaml \(profiles: default, dev, cloud\)/);
  assert.match(errorOf('unset'), /^io_config\.yaml:7:\d+: error: Environment variable "PW_UNSET_KEY" is not set \(profile "cloud", KEY\)/);
});
