import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyEnv, readProjectEnv } from '../../../runtime/project/project-env.ts';
import { writeTree } from '../../helpers/project-tree.ts';

test('applyEnv adds what the environment lacks, and takes back its own values when .env changes', (t) => {
  const root = writeTree(t, { '.env': 'A=1\nB=from-file\n', 'dev.env': 'C=3\nA=0\n' });
  const env: NodeJS.ProcessEnv = { B: 'from-shell' };
  applyEnv(readProjectEnv(root), env);
  assert.deepEqual({ ...env }, { A: '1', B: 'from-shell', C: '3' });

  writeFileSync(join(root, '.env'), 'B=from-file\n');
  env.D = 'set by a block';
  applyEnv(readProjectEnv(root), env);
  assert.deepEqual({ ...env }, { A: '0', B: 'from-shell', C: '3', D: 'set by a block' }, "A now comes from dev.env; the block's own D stays");

  writeFileSync(join(root, 'dev.env'), '');
  env.C = 'changed by a block';
  applyEnv(readProjectEnv(root), env);
  assert.deepEqual({ ...env }, { B: 'from-shell', C: 'changed by a block', D: 'set by a block' }, 'values a block changed are not taken back');
});
