import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

const CACHED = join(import.meta.dirname, '../../.cache/python/bin/python');
let found: string | null | undefined;

/** The tests' Python with pandas and pyarrow, if there is one (for a test with a part that needs it). */
export function findTestPython(): string | undefined {
  if (found === undefined) {
    const candidate = process.env.PIPEWRIGHT_TEST_PYTHON ?? (existsSync(CACHED) ? CACHED : 'python3');
    const check = spawnSync(candidate, ['-c', 'import pandas, pyarrow'], { encoding: 'utf8', timeout: 60_000 });
    found = check.status === 0 ? candidate : null;
  }
  if (found) return found;
  // CI makes one (PIPEWRIGHT_REQUIRE_PYTHON): there, its absence is a failure, never a skip.
  if (process.env.PIPEWRIGHT_REQUIRE_PYTHON) assert.fail('no Python with pandas and pyarrow for the Python-block tests: run "bash scripts/python-setup.sh"');
  return undefined;
}

/**
 * The Python the Python-block tests run blocks with (one with pandas and pyarrow): PIPEWRIGHT_TEST_PYTHON,
 * else the venv scripts/python-setup.sh makes. Without one the test says so and skips; in CI
 * (PIPEWRIGHT_REQUIRE_PYTHON) it fails instead.
 */
export function testPython(t: TestContext): string | undefined {
  const python = findTestPython();
  if (!python) t.skip('no Python with pandas and pyarrow for the Python-block tests: run "bash scripts/python-setup.sh" (or set PIPEWRIGHT_TEST_PYTHON)');
  return python;
}
