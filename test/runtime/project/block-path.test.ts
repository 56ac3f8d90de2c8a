import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { locateBlockFile } from '../../../runtime/project/block-path.ts';
import { diskHost } from '../../../runtime/project/host.ts';
import { writeTree } from '../../helpers/project-tree.ts';

const FILES = {
  'settings.yaml': 'projects:\n  etl: {}\n  ml: {}\n',
  'etl/data_loaders/load.py': '',
  'etl/transformers/clean.ts': '',
  'etl/custom/tool.py': '',
  'etl/dbt/taxi/models/stg.sql': '',
  'ml/data_exporters/shared.py': '',
};

function check(t: import('node:test').TestContext, cases: [string, Parameters<typeof locateBlockFile>[0], boolean, string | undefined, boolean?][]) {
  const repoRoot = writeTree(t, FILES);
  for (const [name, query, multi, expected, exists = true] of cases) {
    const folders = { root: join(repoRoot, 'etl'), repoRoot: multi ? repoRoot : join(repoRoot, 'etl') };
    const found = locateBlockFile(query, { folders, host: diskHost });
    assert.equal(found && relative(repoRoot, found.file), expected, name);
    if (found) assert.equal(found.exists, exists, `${name}: exists`);
  }
}

const q = (uuid: string, type: string, language: 'python' | 'typescript' | 'sql', configuration: Record<string, unknown> = {}) => ({ uuid, type, language, configuration });

test('block files are found by convention, file_path, file_source and container paths', (t) =>
  check(t, [
    ['convention, python', q('load', 'data_loader', 'python'), false, 'etl/data_loaders/load.py'],
    ['convention, typescript', q('clean', 'transformer', 'typescript'), false, 'etl/transformers/clean.ts'],
    ['custom lives in custom/, not customs/', q('tool', 'custom', 'python'), false, 'etl/custom/tool.py'],
    ['missing file keeps the conventional path', q('gone', 'sensor', 'typescript'), false, 'etl/sensors/gone.ts', false],
    ['file_path relative to the project', q('x', 'transformer', 'python', { file_path: 'data_loaders/load.py' }), false, 'etl/data_loaders/load.py'],
    ['file_path from a container', q('x', 'custom', 'python', { file_path: '/home/src/etl/custom/tool.py' }), false, 'etl/custom/tool.py'],
    ['file_path from another container root', q('x', 'custom', 'python', { file_path: '/home/src/other_name/custom/tool.py' }), false, 'etl/custom/tool.py'],
    ['file_source ignored in a standalone project', q('load', 'data_loader', 'python', { file_source: { path: 'old/place.py' } }), false, 'etl/data_loaders/load.py'],
    [
      'file_source used in a multi-project setup',
      q('shared', 'data_exporter', 'python', { file_source: { path: 'ml/data_exporters/shared.py' } }),
      true,
      'ml/data_exporters/shared.py',
    ],
    ['file_path with the sub-project prefix', q('x', 'custom', 'python', { file_path: 'etl/custom/tool.py' }), true, 'etl/custom/tool.py'],
    ['dbt model under dbt/', q('dbt/taxi/models/stg', 'dbt', 'sql', { file_path: 'taxi/models/stg.sql' }), false, 'etl/dbt/taxi/models/stg.sql'],
    ['kinds without code have no file', q('gdp', 'global_data_product', 'python', { file_source: { path: 'x.py' } }), true, undefined],
  ]));
