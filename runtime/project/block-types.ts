import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TYPES_PATH } from '../layout.js';
import { writeFileAtomic } from './write-file.js';

/** The tsconfig.json of a new project: block files type-check against the block API without npm install. */
export const PROJECT_TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      lib: ['ES2023'],
    },
    include: ['data_loaders', 'transformers', 'data_exporters', 'custom', 'sensors', 'callbacks', 'conditionals', TYPES_PATH],
  },
  null,
  2,
)}\n`;

function bundledTypes(): string | undefined {
  // Beside the bundled CLI in dist/, the package's types/ folder.
  const candidates = [typeof __dirname === 'string' ? join(__dirname, '..', 'types', 'pipewright.d.ts') : '', join(process.cwd(), 'types', 'pipewright.d.ts')];
  const found = candidates.find((c) => c && existsSync(c));
  return found ? readFileSync(found, 'utf8') : undefined;
}

/**
 * Keeps `.pipewright/types/pipewright.d.ts` equal to this Pipewright's block API, so editors
 * type-check block files (and offer completion) in a project that never ran npm install.
 */
export function ensureBlockTypes(root: string): void {
  const types = bundledTypes();
  if (types === undefined) return;
  const target = join(root, TYPES_PATH);
  if (existsSync(target) && readFileSync(target, 'utf8') === types) return;
  writeFileAtomic(target, types);
}
