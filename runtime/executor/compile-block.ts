import { build, type Message, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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
  let code: string;
  try {
    const result = await build({
      entryPoints: [file],
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
  mkdirSync(cacheDir, { recursive: true });
  const hash = createHash('sha1').update(file).update(code).digest('hex').slice(0, 12);
  const out = join(cacheDir, `${basename(file).replace(/\.[^.]+$/, '')}-${hash}.cjs`);
  writeFileSync(out, code);
  return out;
}
