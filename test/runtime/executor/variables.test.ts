import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVarArguments } from '../../../runtime/executor/variables.ts';
import { pipewright } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';
import { lines } from '../../helpers/project-tree.ts';
import { findTestPython } from '../../helpers/python.ts';

test('--var values read as YAML, as Mage types its runtime variables; --vars takes a JSON object', () => {
  const cases: [string, unknown][] = [
    ['month=1', 1],
    ['rate=0.5', 0.5],
    ['ok=true', true],
    ['none=null', null],
    ["code='01'", '01'],
    ['code="01"', '01'],
    ['taxi=yellow', 'yellow'],
    ['months=[1, 2]', [1, 2]],
    ['where={a: 1}', { a: 1 }],
    ['note=a: b', 'a: b'],
    ['day=2021-01-01', '2021-01-01'],
    ['empty=', ''],
    ['query=select * from t where x = 1', 'select * from t where x = 1'],
  ];
  for (const [arg, expected] of cases) {
    const name = arg.slice(0, arg.indexOf('='));
    assert.deepEqual(parseVarArguments([arg])[name], expected, arg);
  }
  assert.deepEqual(parseVarArguments(['month=3'], '{"months": [1, 2], "month": 1}'), { months: [1, 2], month: 3 }, '--var has the last word');
  assert.throws(() => parseVarArguments([], '{months: 1}'), /--vars \{months: 1\}: not JSON .*; write an object such as/);
  assert.throws(() => parseVarArguments([], '[1, 2]'), /--vars \[1, 2\]: give a JSON object/);
  assert.throws(() => parseVarArguments(['month']), /--var month: write --var name=value/);
});

test('typed variables reach TypeScript, SQL and Python blocks alike (Python where the tests have one)', (t) => {
  const python = findTestPython();
  const root = pipelineProject(t, {
    ts: {
      code: "import { dataLoader } from 'pipewright';\nexport default dataLoader(async (ctx) => [{ month: ctx.vars.month, type: typeof ctx.vars.month, code: ctx.vars.code, months: JSON.stringify(ctx.vars.months) }]);\n",
    },
    sql: { language: 'sql', code: "SELECT {{ month }} + 1 AS next_month, '{{ code }}' AS code\n" },
    ...(python
      ? {
          py: {
            language: 'python' as const,
            code: lines('@data_loader', 'def load(**kwargs):', "    return {'month': type(kwargs['month']).__name__, 'code': kwargs['code'], 'months': kwargs['months']}"),
          },
        }
      : {}),
  });
  const run = pipewright(['run', 'p', '--var', 'month=1', '--var', "code='01'", '--vars', '{"months": [1, 2]}'], { cwd: root, env: python ? { PIPEWRIGHT_PYTHON: python } : {} });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const preview = (block: string) => JSON.parse(pipewright(['preview', 'p', block, '--json'], { cwd: root }).stdout);
  assert.deepEqual(preview('ts').preview, [{ month: 1, type: 'number', code: '01', months: '[1,2]' }]);
  assert.deepEqual(
    preview('sql').preview.map((r: { next_month: number; code: string }) => [Number(r.next_month), r.code]),
    [[2, '01']],
  );
  if (python) assert.deepEqual(preview('py').value, { month: 'int', code: '01', months: [1, 2] });
});
