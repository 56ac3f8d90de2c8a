// `npm run package [-- --target linux-x64,darwin-arm64 | --all] [--out DIR]`: the extension as one
// VSIX per platform (`vsce package --target`). The runtime's native parts (DuckDB's bindings, the
// PostgreSQL server binaries, esbuild) differ per platform, so each VSIX gets the production
// dependencies installed for its platform from the lockfile. Without --target: this machine's platform.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RUNTIME_EXTERNALS } from '../esbuild.mjs';

const REPO = resolve(import.meta.dirname, '..');

/** The platforms a VSIX is built for with --all: VS Code's target names, and npm's os and cpu for them. */
export const TARGETS = {
  'linux-x64': { os: 'linux', cpu: 'x64' },
  'linux-arm64': { os: 'linux', cpu: 'arm64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'win32-x64': { os: 'win32', cpu: 'x64' },
};
const DECLARED = ['linux-x64', 'darwin-arm64', 'win32-x64'];

const { values } = parseArgs({ options: { target: { type: 'string' }, all: { type: 'boolean' }, out: { type: 'string' } } });
const here = `${process.platform}-${process.arch}`;
const targets = values.all ? DECLARED : (values.target?.split(',') ?? [here]);
for (const target of targets) {
  if (!TARGETS[target]) {
    console.error(`error: unknown target ${target}: use one of ${Object.keys(TARGETS).join(', ')}`);
    process.exit(2);
  }
}
const out = resolve(values.out ?? join(REPO, '.package'));
mkdirSync(out, { recursive: true });

const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_update_notifier: 'false' } });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

run(process.execPath, [join(REPO, 'esbuild.mjs')], REPO);
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

/** Symbolic links under a folder: a VSIX cannot hold them (the runtime restores the PostgreSQL ones). */
function removeLinks(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) unlinkSync(path);
    else if (stat.isDirectory()) removeLinks(path);
  }
}

for (const target of targets) {
  const { os, cpu } = TARGETS[target];
  const stage = join(out, `stage-${target}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const entry of ['bin', 'dist', 'types', 'schemas', 'media', 'README.md', 'package-lock.json']) {
    cpSync(join(REPO, entry), join(stage, entry), { recursive: true, filter: (source) => !source.endsWith('.map') });
  }
  // The manifest without what only development needs (vsce runs no script of it), and with only
  // the dependencies the bundles load at run time: everything else is inside them.
  const external = Object.fromEntries(Object.entries(pkg.dependencies).filter(([name]) => RUNTIME_EXTERNALS.includes(name)));
  const manifest = { ...pkg, dependencies: external, devDependencies: undefined, scripts: undefined, files: undefined };
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  cpSync(join(REPO, 'LICENSE'), join(stage, 'LICENSE'));
  // Those dependencies for the target's platform, at the lockfile's versions. Install scripts only
  // make links, which the VSIX cannot keep anyway.
  console.log(`Installing the runtime's dependencies for ${target} ...`);
  run(npm, ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', `--os=${os}`, `--cpu=${cpu}`], stage);
  removeLinks(join(stage, 'node_modules'));
  // What a user does not need of the dependencies: type declarations, source maps, docs, static libraries.
  writeFileSync(
    join(stage, '.vscodeignore'),
    [
      'package-lock.json',
      'node_modules/**/*.map',
      'node_modules/**/*.d.ts',
      'node_modules/**/*.d.mts',
      'node_modules/**/*.md',
      'node_modules/**/test/**',
      'node_modules/**/*.a',
      '',
    ].join('\n'),
  );
  const vsix = join(out, `${pkg.name}-${target}-${pkg.version}.vsix`);
  const vsce = join(REPO, 'node_modules/@vscode/vsce/vsce');
  run(process.execPath, [vsce, 'package', '--target', target, '--allow-missing-repository', '--no-update-package-json', '--out', vsix], stage);
  if (!existsSync(vsix)) throw new Error(`vsce wrote no ${vsix}`);
  console.log(`${vsix}: ${(statSync(vsix).size / 1024 / 1024).toFixed(1)} MB`);
  rmSync(stage, { recursive: true, force: true });
}
