import { build, type BuildFailure, type Message, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { writeFileAtomic } from '../project/write-file.js';
import type { BlockError } from '../protocol.js';

// Compiled blocks find the API through a well-known global, so one worker serves any project
// whatever is (or is not) in its node_modules.
const API_PLUGIN: Plugin = {
  name: 'pipewright-api',
  setup(setup) {
    setup.onResolve({ filter: /^pipewright$/ }, () => ({ path: 'pipewright', namespace: 'pipewright-api' }));
    setup.onLoad({ filter: /.*/, namespace: 'pipewright-api' }, () => ({
      contents: 'module.exports = globalThis[Symbol.for("pipewright.blockApi")];',
      loader: 'js',
    }));
  },
};

/** The result of compiling one block file. */
export type Compiled = { compiled: string } | { error: BlockError };

function compileError(message: Message, file: string, cwd: string): BlockError {
  const where = message.location;
  return {
    code: 'syntax',
    message: `Cannot compile the block: ${message.text}${where?.lineText ? `\n    ${where.lineText.trim()}` : ''}`,
    file: where?.file ? resolve(cwd, where.file) : file,
    line: where?.line,
    col: where ? where.column + 1 : undefined,
  };
}

/** One cache file per block file; the source map's paths are relative to it, so it is named first. */
function cacheName(file: string): string {
  return `${basename(file).replace(/\.[^.]+$/, '')}-${createHash('sha1').update(file).digest('hex').slice(0, 10)}`;
}

async function buildAll(files: string[], cacheDir: string, cwd: string): Promise<Map<string, string>> {
  const names = new Map(files.map((f) => [cacheName(f), f]));
  const result = await build({
    entryPoints: Object.fromEntries([...names].map(([name, file]) => [name, file])),
    outdir: cacheDir,
    outExtension: { '.js': '.cjs' },
    absWorkingDir: cwd,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
    plugins: [API_PLUGIN],
  });
  const compiled = new Map<string, string>();
  for (const output of result.outputFiles) {
    const file = names.get(basename(output.path).replace(/\.cjs$/, ''));
    if (!file) continue;
    // Two runs of one block may compile at once: each renames a whole file into place.
    writeFileAtomic(output.path, output.text);
    compiled.set(file, output.path);
  }
  return compiled;
}

/**
 * Compiles TypeScript block files to CommonJS in `cacheDir`, all in one esbuild call. Packages stay
 * external, so a block uses the project's node_modules; the source maps are inline, so errors point
 * at the .ts files. When a file does not compile, each file is compiled alone so every error lands
 * on its own block.
 */
export async function compileBlocks(files: string[], options: { cacheDir: string; cwd: string }): Promise<Map<string, Compiled>> {
  const unique = [...new Set(files)];
  const results = new Map<string, Compiled>();
  if (unique.length === 0) return results;
  try {
    for (const [file, compiled] of await buildAll(unique, options.cacheDir, options.cwd)) results.set(file, { compiled });
    return results;
  } catch (error) {
    if (!(error as BuildFailure).errors?.length) throw new Error('Cannot compile the blocks', { cause: error });
  }
  for (const file of unique) {
    try {
      results.set(file, { compiled: (await buildAll([file], options.cacheDir, options.cwd)).get(file)! });
    } catch (error) {
      const messages = (error as BuildFailure).errors;
      if (!messages?.length) throw new Error(`Cannot compile ${file}`, { cause: error });
      results.set(file, { error: compileError(messages[0], file, options.cwd) });
    }
  }
  return results;
}
