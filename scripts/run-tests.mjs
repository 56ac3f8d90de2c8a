// Runs every test file under test/ (TypeScript, through tsx) with node's test runner. Files run one
// after another, so tests that start servers or processes do not fight over the two cores.
// usage: node scripts/run-tests.mjs [--e2e] [substring ...]   (only the files whose path contains one)
// --e2e runs the end-to-end tests (test/e2e/*.e2e.ts: a real VS Code, including the extension-host
// suite of test/vscode/), which need scripts/e2e-setup.sh.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const e2e = process.argv.includes('--e2e');
const filters = process.argv.slice(2).filter((a) => a !== '--e2e');
const suffix = e2e ? '.e2e.ts' : '.test.ts';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    // test/vscode/ holds the extension-host suite: mocha inside VS Code (test/e2e/extension-host.e2e.ts runs it).
    if (name === 'fixtures' || name === 'node_modules' || name.startsWith('.') || path === join(root, 'test/vscode')) return [];
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith(suffix) ? [path] : [];
  });
}

const files = find(join(root, 'test'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort()
  .map((file) => relative(root, file));
if (files.length === 0) {
  console.error(`No test files match ${filters.join(', ') || `test/**/*${suffix}`}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NO_COLOR: process.env.CI ? '1' : process.env.NO_COLOR },
});
process.exit(result.status ?? 1);
