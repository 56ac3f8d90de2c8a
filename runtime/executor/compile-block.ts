import { build, type Message, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
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

/** A compile error of a block file, with the file, line and column esbuild reports. */
export class BlockCompileError extends Error {
  constructor(readonly detail: BlockError) {
    super(detail.message);
  }
}

function compileError(messages: Message[], file: string): BlockError {
  const first = messages[0];
  const where = first?.location;
  return {
    code: 'syntax',
    message: `Cannot compile the block: ${first?.text ?? 'unknown error'}${where?.lineText ? `\n    ${where.lineText.trim()}` : ''}`,
    file: where?.file ? join(process.cwd(), where.file) : file,
    line: where?.line,
    col: where ? where.column + 1 : undefined,
  };
}

/**
 * Compiles a TypeScript block to CommonJS in `cacheDir` and returns the file to require. Packages
 * stay external, so a block uses the project's node_modules; the source map is inline so errors
 * point at the .ts file.
 */
export async function compileBlock(file: string, cacheDir: string): Promise<string> {
  // One cache file per block file; the source map's paths are relative to it, so it is named first.
  const out = join(cacheDir, `${basename(file).replace(/\.[^.]+$/, '')}-${createHash('sha1').update(file).digest('hex').slice(0, 10)}.cjs`);
  let code: string;
  try {
    const result = await build({
      entryPoints: [file],
      outfile: out,
      absWorkingDir: process.cwd(),
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
    code = result.outputFiles[0].text;
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors;
    if (messages?.length) throw new BlockCompileError(compileError(messages, file));
    throw new Error(`Cannot compile ${file}`, { cause: error });
  }
  // Two runs of one block may compile at once: each renames a whole file into place.
  writeFileAtomic(out, code);
  return out;
}
