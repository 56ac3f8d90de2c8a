import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';

/** Writes a project tree (relative path → text) into a fresh temporary folder, removed after the test. */
export function writeTree(t: TestContext | undefined, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pipewright-test-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  t?.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

/** A YAML text from lines, so tests can count lines exactly. */
export function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}
