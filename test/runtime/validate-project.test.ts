import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { test } from 'node:test';
import { loadProject } from '../../runtime/project/load-project.ts';
import { validateProject } from '../../runtime/validate/validate-project.ts';
import { lines, writeTree } from '../helpers/project-tree.ts';

// Malformed projects, each checked against the exact problems it must produce: severity, code and
// the file, line and column they point at. Every case starts from a valid two-block project.

const VALID_PIPELINE = lines(
  'blocks:',
  '- uuid: load',
  '  type: data_loader',
  '  language: typescript',
  '  upstream_blocks: []',
  '  downstream_blocks: [clean]',
  '- uuid: clean',
  '  type: transformer',
  '  language: typescript',
  '  upstream_blocks: [load]',
  '  downstream_blocks: []',
  'name: p',
  'uuid: p',
);

const BASE: Record<string, string> = {
  'metadata.yaml': 'project_type: standalone\n',
  'io_config.yaml': lines('version: 0.1.1', 'default:', '  PIPEWRIGHT_EMBEDDED: true'),
  'data_loaders/load.ts': 'export default 1;\n',
  'transformers/clean.ts': 'export default 1;\n',
  'pipelines/p/metadata.yaml': VALID_PIPELINE,
};

interface Case {
  name: string;
  files: Record<string, string | null>;
  /** `severity code file:line:col`, for every error and warning. */
  expect: string[];
  /** Substrings the message of the first expected problem must contain. */
  says?: string[];
}

const CASES: Case[] = [
  { name: 'a valid project has no problems', files: {}, expect: [] },
  {
    name: 'bad YAML is reported where the parser stopped',
    files: { 'pipelines/p/metadata.yaml': lines('blocks:', '- uuid: load', '  upstream_blocks: [a, b', 'name: p') },
    expect: ['error yaml-syntax pipelines/p/metadata.yaml:4:1'],
    says: ['Invalid YAML'],
  },
  {
    name: 'a tab used for indentation is a YAML error',
    files: { 'pipelines/p/metadata.yaml': 'blocks:\n\t- uuid: load\n' },
    expect: ['error yaml-syntax pipelines/p/metadata.yaml:2:1'],
  },
  {
    name: 'a wrong type points at the value',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('upstream_blocks: [load]', 'upstream_blocks: load') },
    expect: ['error schema pipelines/p/metadata.yaml:10:20', 'warning edge-mismatch pipelines/p/metadata.yaml:6:23'],
    says: ['"upstream_blocks" must be a list', 'not text "load"'],
  },
  {
    name: 'a cycle is reported on every block of it, with the whole path',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('upstream_blocks: []', 'upstream_blocks: [clean]').replace('downstream_blocks: []', 'downstream_blocks: [load]') },
    expect: ['error cycle pipelines/p/metadata.yaml:2:9', 'error cycle pipelines/p/metadata.yaml:7:9'],
    says: ['cycle', 'load → clean → load'],
  },
  {
    name: 'an unknown upstream block is reported (Mage drops it silently)',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('upstream_blocks: [load]', 'upstream_blocks: [load, lod]') },
    expect: ['warning unknown-upstream pipelines/p/metadata.yaml:10:27'],
    says: ['Cannot find upstream block "lod" of "clean"'],
  },
  {
    name: 'a TypeScript block that exports the wrapper of another type is pointed at in its file',
    files: { 'transformers/clean.ts': "import { dataLoader } from 'pipewright';\nexport default dataLoader(async () => []);\n" },
    expect: ['warning block-type-mismatch transformers/clean.ts:2:16'],
    says: ['"clean" is a transformer in pipelines/p/metadata.yaml', 'exports dataLoader(...): use transformer(...)'],
  },
  {
    name: 'a SQL block naming {{ df_2 }} with one upstream block is an error at the name',
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  language: typescript\n  upstream_blocks: [load]', '  language: sql\n  upstream_blocks: [load]'),
      'transformers/clean.ts': null,
      'transformers/clean.sql': 'SELECT * FROM {{ df_1 }} JOIN {{ df_2 }} USING (id)\n',
    },
    expect: ['error unknown-upstream-df transformers/clean.sql:1:31'],
    says: ['{{ df_2 }} names upstream block 2, but "clean" has 1 (load)'],
  },
  {
    name: "a Python block whose function takes more inputs than it has upstream blocks is an error at its name, with Mage's message",
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  language: typescript\n  upstream_blocks: [load]', '  language: python\n  upstream_blocks: [load]'),
      'transformers/clean.ts': null,
      'transformers/clean.py': lines('from typing import Dict', '', '@transformer', 'def transform(data: Dict[str, int], zones, limit=10, **kwargs):', '    return data'),
    },
    expect: ['error python-arity transformers/clean.py:4:5'],
    says: ['Block clean may be missing upstream dependencies. It expected to have 2 arguments, but only received 1', 'upstream: load in pipelines/p/metadata.yaml; add *args'],
  },
  {
    name: 'a Python block taking *args, or as many inputs as upstream blocks (defaults and keyword-only ones aside), is fine',
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  language: typescript\n  upstream_blocks: [load]', '  language: python\n  upstream_blocks: [load]'),
      'transformers/clean.ts': null,
      'transformers/clean.py': lines(
        '@transformer',
        'def transform(',
        '    data,  # the loaded rows',
        '    limit=10,',
        '    *,',
        '    zones=None,',
        '    **kwargs,',
        '):',
        '    return data',
      ),
    },
    expect: [],
    says: [],
  },
  {
    name: 'a password written into io_config.yaml is a warning that suggests env_var',
    files: {
      'io_config.yaml': lines(
        'version: 0.1.1',
        'default:',
        '  PIPEWRIGHT_EMBEDDED: true',
        'prod:',
        '  POSTGRES_HOST: db',
        '  POSTGRES_PASSWORD: hunter2hunter2',
        '  POSTGRES_USER: "{{ env_var(\'PGUSER\') }}"',
      ),
    },
    expect: ['warning literal-secret io_config.yaml:6:3', 'warning missing-env-var io_config.yaml:7:19'],
    says: ['POSTGRES_PASSWORD of profile "prod" is written in io_config.yaml', "{{ env_var('POSTGRES_PASSWORD') }}"],
  },
  {
    name: 'a missing block file points at the uuid',
    files: { 'transformers/clean.ts': null },
    expect: ['error missing-block-file pipelines/p/metadata.yaml:7:3'],
    says: ['transformers/clean.ts does not exist'],
  },
  {
    name: 'a missing file named by configuration.file_path points at file_path',
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('- uuid: clean\n', '- uuid: clean\n  configuration:\n    file_path: transformers/gone.ts\n'),
    },
    expect: ['error missing-block-file pipelines/p/metadata.yaml:9:16'],
    says: ['transformers/gone.ts', 'configuration.file_path'],
  },
  {
    name: 'an unset env_var is a warning in validate',
    files: { 'io_config.yaml': lines('version: 0.1.1', 'dev:', '  POSTGRES_PASSWORD: "{{ env_var(\'PW_TEST_UNSET\') }}"') },
    expect: ['warning missing-env-var io_config.yaml:3:23'],
    says: ['PW_TEST_UNSET', 'profile "dev"'],
  },
  {
    name: 'env_var without quotes is an error that shows the fix',
    files: { 'io_config.yaml': lines('version: 0.1.1', 'dev:', '  POSTGRES_USER: "{{ env_var(POSTGRES_USER) }}"') },
    expect: ['error unquoted-env-var io_config.yaml:3:30'],
    says: ["{{ env_var('POSTGRES_USER') }}"],
  },
  {
    name: 'a bad cron is an error at the schedule',
    files: { 'pipelines/p/triggers.yaml': lines('triggers:', '- name: hourly', "  schedule_interval: '61 * * * *'", '  schedule_type: time') },
    expect: ['error invalid-schedule pipelines/p/triggers.yaml:3:22'],
    says: ['61'],
  },
  {
    name: 'a cron with six fields says it needs five',
    files: { 'pipelines/p/triggers.yaml': lines('triggers:', '- name: t', "  schedule_interval: '0 0 6 * * *'") },
    expect: ['error invalid-schedule pipelines/p/triggers.yaml:3:22'],
    says: ['6 fields', 'needs 5'],
  },
  {
    name: 'an invalid start_time is an error',
    files: { 'pipelines/p/triggers.yaml': lines('triggers:', '- name: t', "  schedule_interval: '@daily'", '  start_time: 2024-02-30 00:00:00') },
    expect: ['error invalid-start-time pipelines/p/triggers.yaml:4:15'],
  },
  {
    name: 'two triggers with one name are an error on the second',
    files: { 'pipelines/p/triggers.yaml': lines('triggers:', '- name: t', "  schedule_interval: '@daily'", '- name: t', "  schedule_interval: '@hourly'") },
    expect: ['error duplicate-trigger pipelines/p/triggers.yaml:4:9'],
  },
  {
    name: 'an unknown time zone is an error',
    files: { 'pipelines/p/triggers.yaml': lines('triggers:', '- name: t', "  schedule_interval: '@daily'", '  timezone: Mars/Olympus') },
    expect: ['error invalid-schedule pipelines/p/triggers.yaml:4:13'],
  },
  {
    name: 'a duplicate block uuid is an error on the second',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('- uuid: clean', '- uuid: load'), 'transformers/load.ts': 'export default 1;\n' },
    expect: ['error duplicate-uuid pipelines/p/metadata.yaml:7:9', 'warning unknown-downstream pipelines/p/metadata.yaml:6:23'],
  },
  {
    name: 'CRLF line endings keep line numbers right',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('upstream_blocks: [load]', 'upstream_blocks: [load, lod]').replace(/\n/g, '\r\n') },
    expect: ['warning unknown-upstream pipelines/p/metadata.yaml:10:27'],
  },
  {
    name: 'a byte-order mark does not break loading',
    files: { 'pipelines/p/metadata.yaml': `\uFEFF${VALID_PIPELINE}` },
    expect: [],
  },
  {
    name: 'an empty pipeline metadata.yaml is an error',
    files: { 'pipelines/p/metadata.yaml': '' },
    expect: ['error empty-file pipelines/p/metadata.yaml:1:1'],
  },
  {
    name: 'a metadata.yaml of comments only counts as empty',
    files: { 'pipelines/p/metadata.yaml': '# nothing yet\n' },
    expect: ['error empty-file pipelines/p/metadata.yaml:1:1'],
  },
  {
    name: 'a typo in a block type suggests the right one',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('type: transformer', 'type: transfomer') },
    expect: ['error unknown-block-type pipelines/p/metadata.yaml:8:9', 'warning unknown-downstream pipelines/p/metadata.yaml:6:23'],
    says: ['did you mean transformer'],
  },
  {
    name: 'a block type from a newer Mage is a warning',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('type: transformer', 'type: ai') },
    expect: ['warning unknown-block-type pipelines/p/metadata.yaml:8:9'],
  },
  {
    name: 'an unknown language lists the known ones',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('language: typescript\n  upstream_blocks: [load]', 'language: javascript\n  upstream_blocks: [load]') },
    expect: ['error schema pipelines/p/metadata.yaml:9:13', 'error missing-block-file pipelines/p/metadata.yaml:7:3'],
    says: ['"language" must be one of', 'typescript'],
  },
  {
    name: 'a link listed on one side only is a warning',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('downstream_blocks: [clean]', 'downstream_blocks: []') },
    expect: ['warning edge-mismatch pipelines/p/metadata.yaml:10:21'],
  },
  {
    name: 'duplicate keys are a warning on the later one, which wins as in Mage',
    files: { 'pipelines/p/metadata.yaml': `${VALID_PIPELINE}name: q\n` },
    expect: ['warning duplicate-key pipelines/p/metadata.yaml:14:1'],
  },
  {
    name: 'a block written as a plain string is a schema error',
    files: { 'pipelines/p/metadata.yaml': lines('blocks:', '- load', 'name: p') },
    expect: ['error schema pipelines/p/metadata.yaml:2:3'],
    says: ['must be a map'],
  },
  {
    name: 'triggers as a map instead of a list is a schema error',
    files: { 'pipelines/p/triggers.yaml': lines('triggers:', '  name: t') },
    expect: ['error schema pipelines/p/triggers.yaml:2:3'],
  },
  {
    name: 'a profile that is not a map is an error',
    files: { 'io_config.yaml': lines('version: 0.1.1', 'dev: 5') },
    expect: ['error schema io_config.yaml:2:1', 'error schema io_config.yaml:2:6'],
  },
  {
    name: 'a pipeline file that is a list is a schema error',
    files: { 'pipelines/p/metadata.yaml': lines('- uuid: load') },
    expect: ['error schema pipelines/p/metadata.yaml:1:1'],
  },
  {
    name: 'binary garbage does not crash the loader',
    files: { 'pipelines/p/metadata.yaml': '\u0000\u0001{{[[::\u0007' },
    expect: ['error yaml-syntax pipelines/p/metadata.yaml:1:1'],
    says: ['The file is saved as binary data (it holds NUL characters), not UTF-8'],
  },
  {
    name: 'unbalanced brackets are a YAML error',
    files: { 'pipelines/p/metadata.yaml': lines('blocks: [[', 'name: p') },
    expect: ['error yaml-syntax pipelines/p/metadata.yaml:2:1'],
  },
  {
    name: 'a pipeline uuid that differs from its folder is a warning',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('uuid: p\n', 'uuid: q\n') },
    expect: ['warning uuid-mismatch pipelines/p/metadata.yaml:13:7'],
  },
  {
    name: 'reduce_output on a block that runs once is a warning at its configuration',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  downstream_blocks: []\n', '  downstream_blocks: []\n  configuration: { reduce_output: true }\n') },
    expect: ['warning dynamic-shape pipelines/p/metadata.yaml:12:3'],
    says: ['"clean" has reduce_output: true but runs once'],
  },
  {
    name: 'a block fed by two dynamic blocks is an error at its upstream_blocks',
    files: {
      'data_loaders/more.ts': 'export default 1;\n',
      'pipelines/p/metadata.yaml': lines(
        'blocks:',
        '- uuid: load',
        '  type: data_loader',
        '  language: typescript',
        '  configuration: { dynamic: true }',
        '  downstream_blocks: [clean]',
        '- uuid: more',
        '  type: data_loader',
        '  language: typescript',
        '  configuration: { dynamic: true }',
        '  downstream_blocks: [clean]',
        '- uuid: clean',
        '  type: transformer',
        '  language: typescript',
        '  upstream_blocks: [load, more]',
        'name: p',
        'uuid: p',
      ),
    },
    expect: ['error dynamic-shape pipelines/p/metadata.yaml:15:3'],
    says: ['once per item of several dynamic blocks (load, more)'],
  },
  {
    name: 'a dynamic block that is also a dynamic child is a warning: Mage runs it, Pipewright does not yet',
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  upstream_blocks: []\n', '  upstream_blocks: []\n  configuration: { dynamic: true }\n').replace(
        '  downstream_blocks: []\n',
        '  downstream_blocks: []\n  configuration: { dynamic: true }\n',
      ),
    },
    expect: ['warning dynamic-shape pipelines/p/metadata.yaml:13:3'],
    says: ['Mage runs this, Pipewright does not nest dynamic blocks yet'],
  },
  {
    name: "Mage's dynamic blocks v2 settings (a map with parent and reduce_output) are understood",
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  upstream_blocks: []\n', '  upstream_blocks: []\n  configuration:\n    dynamic:\n      parent: true\n').replace(
        '  downstream_blocks: []\n',
        '  downstream_blocks: []\n  configuration:\n    dynamic:\n      parent: false\n      reduce_output: true\n',
      ),
    },
    expect: [],
  },
  {
    name: 'a block under callbacks: with another type is an error at its type',
    files: {
      'transformers/tell.ts': 'export default 1;\n',
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace(
        'name: p\n',
        'callbacks:\n- uuid: tell\n  type: transformer\n  language: typescript\n  upstream_blocks: [load]\nname: p\n',
      ),
    },
    expect: ['error attached-type pipelines/p/metadata.yaml:14:9'],
    says: ['Block "tell" is listed under callbacks: but its type is transformer: give it type: callback'],
  },
  {
    name: 'a conditional whose file exports another wrapper is pointed at in its file',
    files: {
      'conditionals/when.ts': "import { transformer } from 'pipewright';\nexport default transformer(async () => true);\n",
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace(
        'name: p\n',
        'conditionals:\n- uuid: when\n  type: conditional\n  language: typescript\n  upstream_blocks: [clean]\nname: p\n',
      ),
    },
    expect: ['warning block-type-mismatch conditionals/when.ts:2:16'],
    says: ['use condition(...)'],
  },
  {
    name: 'a SQL block naming a profile io_config.yaml does not have is an error on data_provider_profile',
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace(
        '  language: typescript\n  upstream_blocks: [load]',
        '  language: sql\n  configuration:\n    data_provider: postgres\n    data_provider_profile: prod\n  upstream_blocks: [load]',
      ),
      'transformers/clean.sql': 'select * from {{ df_1 }}\n',
    },
    expect: ['error unknown-profile pipelines/p/metadata.yaml:12:28'],
    says: ['"prod"', 'profiles: default'],
  },
  {
    name: 'env_var in a SQL block: a variable set nowhere is a warning, an unquoted name an error',
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  language: typescript\n  upstream_blocks: [load]', '  language: sql\n  upstream_blocks: [load]'),
      'transformers/clean.sql': lines('select * from {{ df_1 }}', "where region = '{{ env_var(REGION) }}'", "  and tenant = '{{ env_var('TENANT_ID') }}'"),
    },
    expect: ['error unquoted-env-var transformers/clean.sql:2:28', 'warning missing-env-var transformers/clean.sql:3:17'],
    says: ["env_var('REGION')"],
  },
  {
    name: "env_var in a SQL block is satisfied by the project's .env or dev.env",
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  language: typescript\n  upstream_blocks: [load]', '  language: sql\n  upstream_blocks: [load]'),
      'transformers/clean.sql': lines("select * from {{ df_1 }} where tenant = '{{ env_var('TENANT_ID') }}' and r = '{{ env_var(\"REGION\") }}'"),
      '.env': 'TENANT_ID=7\n',
      'dev.env': 'REGION=eu\n',
    },
    expect: [],
  },
  {
    name: 'process.env in a TypeScript block: a variable set nowhere is a warning; defaults, tests and the project env are fine',
    files: {
      'data_loaders/load.ts': lines(
        "import { dataLoader } from 'pipewright';",
        'export default dataLoader(async () => {',
        "  const url = process.env.API_URL + process.env['API_KEY'];",
        "  const region = process.env.REGION ?? 'eu';",
        "  if (process.env.DEBUG) console.log(!process.env.QUIET, process.env.MODE === 'x', process.env.HOST?.trim());",
        "  process.env.SET_HERE = '1';",
        '  return [{ url, region, tenant: process.env.TENANT_ID, from: process.env.FROM_DEV }];',
        '});',
      ),
      '.env': 'TENANT_ID=7\n',
      'dev.env': 'FROM_DEV=x\n',
    },
    expect: ['warning missing-env-var data_loaders/load.ts:3:15', 'warning missing-env-var data_loaders/load.ts:3:37'],
    says: ['"API_URL"', '.env'],
  },
  {
    name: 'os.getenv and os.environ in a Mage Python block: a variable set nowhere is a warning, one with a default is not',
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  language: typescript\n  upstream_blocks: []', '  language: python\n  upstream_blocks: []'),
      'data_loaders/load.py': lines(
        'import os',
        "url = os.getenv('API_URL')",
        "key = os.environ['API_KEY']",
        "region = os.environ.get('REGION')",
        "mode = os.getenv('MODE', 'dev')",
        "os.environ['SET_HERE'] = '1'",
        "tenant = os.getenv('TENANT_ID')",
      ),
      '.env': 'TENANT_ID=7\n',
    },
    expect: ['warning missing-env-var data_loaders/load.py:2:7', 'warning missing-env-var data_loaders/load.py:3:7', 'warning missing-env-var data_loaders/load.py:4:10'],
    says: ['"API_URL"'],
  },
  {
    name: 'a profile named in block code that io_config.yaml does not have is a warning at the name',
    files: {
      'data_loaders/load.ts': lines(
        "import { dataLoader } from 'pipewright';",
        'export default dataLoader(async (ctx) => {',
        "  const pg = await ctx.io.postgres('warehouse');",
        "  await ctx.config('default');",
        '  return pg.query("select 1");',
        '});',
      ),
    },
    expect: ['warning unknown-profile data_loaders/load.ts:3:37'],
    says: ['"warehouse"', 'profiles: default'],
  },
  {
    name: 'a timeout that is not a positive number of seconds is an error, not "no timeout"',
    files: {
      'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  downstream_blocks: [clean]', '  downstream_blocks: [clean]\n  timeout: 3 seconds').replace(
        '  upstream_blocks: [load]',
        '  upstream_blocks: [load]\n  timeout: 0',
      ),
    },
    expect: ['error schema pipelines/p/metadata.yaml:7:12', 'error schema pipelines/p/metadata.yaml:12:12'],
    says: ['"timeout" must be a number of seconds, such as 3600; got "3 seconds"'],
  },
  {
    name: 'a timeout written as text that is a number passes, as Mage writes it',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('  downstream_blocks: [clean]', "  downstream_blocks: [clean]\n  timeout: '3600'") },
    expect: [],
  },
  {
    name: 'negative retries, block_run_limit 0 and a port past 65535 are errors',
    files: {
      'pipelines/p/metadata.yaml': `${VALID_PIPELINE}retry_config:\n  retries: -1\nconcurrency_config:\n  block_run_limit: 0\n`,
      'io_config.yaml': lines('version: 0.1.1', 'default:', '  PIPEWRIGHT_EMBEDDED: true', '  POSTGRES_PORT: 99999999'),
    },
    expect: ['error schema pipelines/p/metadata.yaml:15:12', 'error schema pipelines/p/metadata.yaml:17:20', 'error schema io_config.yaml:4:18'],
    says: ['"POSTGRES_PORT" must be at most 65535; got 99999999'],
  },
  {
    name: 'lists nested too deeply to read are one plain error, not a stack overflow',
    files: { 'pipelines/p/metadata.yaml': `blocks: ${'['.repeat(20000)}${']'.repeat(20000)}\nname: p\n` },
    expect: ['error yaml-syntax pipelines/p/metadata.yaml:1:1'],
    says: ['nests lists or maps too deeply to read'],
  },
  {
    name: 'a second YAML document is named as such',
    files: { 'pipelines/p/metadata.yaml': `${VALID_PIPELINE}---\nname: other\n` },
    expect: ['error yaml-syntax pipelines/p/metadata.yaml:14:1'],
    says: ["holds more than one YAML document (a line '---')"],
  },
  {
    name: 'a file saved as UTF-16 says so, not garbage',
    files: { 'pipelines/p/metadata.yaml': `\uFFFD\uFFFD${[...VALID_PIPELINE].join('\u0000')}` },
    expect: ['error yaml-syntax pipelines/p/metadata.yaml:1:1'],
    says: ['saved as UTF-16, not UTF-8: save it as UTF-8'],
  },
  {
    name: 'a huge value is quoted cut to 80 characters in messages',
    files: { 'pipelines/p/metadata.yaml': VALID_PIPELINE.replace('upstream_blocks: [load]', `upstream_blocks: [load, ${'x'.repeat(1_000_000)}]`) },
    expect: ['warning unknown-upstream pipelines/p/metadata.yaml:10:27'],
    says: [`Cannot find upstream block "${'x'.repeat(80)}…" of "clean"`],
  },
];

function check(t: import('node:test').TestContext, c: Case): void {
  const files = { ...BASE };
  for (const [path, text] of Object.entries(c.files)) {
    if (text === null) delete files[path];
    else files[path] = text;
  }
  const root = writeTree(t, files);
  const problems = validateProject(loadProject(root), { env: {} }).filter((p) => p.severity !== 'hint');
  const got = problems.map((p) => `${p.severity} ${p.code} ${relative(root, p.range.file)}:${p.range.start.line}:${p.range.start.col}`);
  assert.deepEqual([...got].sort(), [...c.expect].sort(), problems.map((p) => p.message).join('\n'));
  if (c.says) {
    const first = problems.find((p) => `${p.severity} ${p.code}` === c.expect[0].split(' ').slice(0, 2).join(' '))!;
    for (const text of c.says) assert.ok(first.message.includes(text), `"${first.message}" should say ${text}`);
  }
}

for (const c of CASES) test(`validate: ${c.name}`, (t) => check(t, c));

test('validate checks at least 15 malformed projects', () => {
  assert.ok(CASES.filter((c) => c.expect.some((e) => e.startsWith('error'))).length >= 15);
});

test('a block file that no pipeline uses is a hint, not a failure', (t) => {
  const root = writeTree(t, { ...BASE, 'data_loaders/left_over.ts': 'export default 1;\n', 'data_loaders/notes.txt': 'not code\n' });
  const problems = validateProject(loadProject(root), { env: {} });
  assert.deepEqual(
    problems.map((p) => `${p.severity} ${p.code} ${relative(root, p.range.file)}`),
    ['hint orphan-block-file data_loaders/left_over.ts'],
  );
  assert.match(problems[0].message, /data_loaders\/left_over\.ts is the file of no block: add it to a pipeline \(pipewright new block\) or delete it/);
});
