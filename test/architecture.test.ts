import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

// The module boundaries of ../shared/STYLE.md, checked on the import graph itself.
const root = join(import.meta.dirname, '..');
const SOURCES = ['runtime', 'language-server', 'extension'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = SOURCES.flatMap((dir) => walk(join(root, dir)));
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]);
}

function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return resolve(dirname(from), specifier).replace(/\.js$/, '.ts');
}

const graph = new Map(files.map((f) => [f, imports(f)]));

test('the runtime imports neither the editor nor its views', () => {
  const offending: string[] = [];
  for (const [file, specifiers] of graph) {
    if (!relative(root, file).startsWith('runtime/')) continue;
    for (const s of specifiers) {
      const local = resolveLocal(file, s);
      const bad = /^vscode/.test(s) || (local && !relative(root, local).startsWith('runtime/') && !relative(root, local).startsWith('schemas/'));
      if (bad) offending.push(`${relative(root, file)} imports ${s}`);
    }
  }
  assert.deepEqual(offending, []);
});

// The graph layout library runs in the browser and touches neither the editor nor the disk.
const WEBVIEW_PACKAGES = new Set(['@dagrejs/dagre']);

test('webview scripts import only the protocol (and the layout library)', () => {
  const offending: string[] = [];
  for (const [file, specifiers] of graph) {
    if (!relative(root, file).startsWith('extension/webview/')) continue;
    for (const s of specifiers) {
      if (WEBVIEW_PACKAGES.has(s)) continue;
      const local = resolveLocal(file, s);
      if (!local || relative(root, local) !== 'runtime/protocol.ts') offending.push(`${relative(root, file)} imports ${s}`);
    }
  }
  assert.deepEqual(offending, []);
});

test('source modules import each other without cycles', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const s of graph.get(file) ?? []) {
      const local = resolveLocal(file, s);
      if (local && graph.has(local)) visit(local, [...path, file]);
    }
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('no source file passes 400 lines without saying why at its top', () => {
  const long = files.filter((f) => {
    const text = readFileSync(f, 'utf8');
    return text.split('\n').length > 400 && !/^\/\/ (Longer than 400 lines|Over 400 lines)/.test(text);
  });
  assert.deepEqual(
    long.map((f) => relative(root, f)),
    [],
  );
});

test('no utils or barrel index files', () => {
  assert.deepEqual(
    files.filter((f) => /\/(utils|index)\.ts$/.test(f)).map((f) => relative(root, f)),
    [],
  );
});

test('every path under .pipewright/ comes from runtime/layout.ts', () => {
  const handMade = files.filter((f) => !f.endsWith('runtime/layout.ts') && /join\([^)]*['"`]\.pipewright['"`/]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(
    handMade.map((f) => relative(root, f)),
    [],
  );
});

test('source folders import each other without cycles (a folder is a layer: runtime/ itself holds only leaf modules)', () => {
  const folderOf = (file: string) => relative(root, dirname(file));
  const edges = new Map<string, Map<string, string>>();
  for (const [file, specifiers] of graph) {
    for (const s of specifiers) {
      const local = resolveLocal(file, s);
      if (!local || !graph.has(local) || folderOf(local) === folderOf(file)) continue;
      const from = edges.get(folderOf(file)) ?? new Map<string, string>();
      edges.set(folderOf(file), from);
      from.set(folderOf(local), `${relative(root, file)} imports ${s}`);
    }
  }
  const cycles: string[] = [];
  for (const [a, targets] of edges) {
    for (const [b, why] of targets) {
      const back = edges.get(b)?.get(a);
      if (back && a < b) cycles.push(`${a} ⇄ ${b}: ${why}; ${back}`);
    }
  }
  assert.deepEqual(cycles, []);
});

// What the views (the extension, the language server) may use of the runtime: the model and its
// checks, the graph, the history they show, scaffolding, and the protocol. Runs happen in the CLI.
const FOR_VIEWS = [
  'runtime/protocol.ts',
  'runtime/problem.ts',
  'runtime/layout.ts',
  'runtime/duration.ts',
  'runtime/history/run-history.ts',
  'runtime/project/',
  'runtime/graph/',
  'runtime/yaml/',
  'runtime/validate/',
  'runtime/template/',
  'runtime/schema/',
  'runtime/scaffold/',
];

test('the views import the runtime only through the modules meant for them', () => {
  const offending: string[] = [];
  for (const [file, specifiers] of graph) {
    const view = relative(root, file);
    if (!view.startsWith('extension/') && !view.startsWith('language-server/')) continue;
    for (const s of specifiers) {
      const local = resolveLocal(file, s);
      const target = local && relative(root, local);
      if (target?.startsWith('runtime/') && !FOR_VIEWS.some((allowed) => (allowed.endsWith('/') ? target.startsWith(allowed) : target === allowed)))
        offending.push(`${view} imports ${s}`);
    }
  }
  assert.deepEqual(offending, []);
});
