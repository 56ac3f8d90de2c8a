import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EXAMPLE = join(import.meta.dirname, '../../examples/zoomcamp');

/** Adds a small pipeline, hello (make_rows → count_rows), that runs in a second with no services. */
function addHello(root: string): void {
  mkdirSync(join(root, 'pipelines/hello'), { recursive: true });
  mkdirSync(join(root, 'data_loaders'), { recursive: true });
  mkdirSync(join(root, 'transformers'), { recursive: true });
  writeFileSync(
    join(root, 'pipelines/hello/metadata.yaml'),
    [
      'blocks:',
      '- uuid: make_rows',
      '  type: data_loader',
      '  language: typescript',
      '  upstream_blocks: []',
      '  downstream_blocks: [count_rows]',
      '- uuid: count_rows',
      '  type: transformer',
      '  language: sql',
      '  upstream_blocks: [make_rows]',
      '  downstream_blocks: []',
      'name: hello',
      'uuid: hello',
      '',
    ].join('\n'),
  );
  writeFileSync(join(root, 'data_loaders/make_rows.ts'), "import { dataLoader } from 'pipewright';\n\nexport default dataLoader(async () => [{ n: 1 }, { n: 2 }, { n: 3 }]);\n");
  writeFileSync(join(root, 'transformers/count_rows.sql'), 'SELECT count(*) AS rows, sum(n) AS total FROM {{ df_1 }}\n');
}

/** A copy of the example project plus the hello pipeline. */
export function exampleWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'pipewright-e2e-ws-'));
  cpSync(EXAMPLE, root, { recursive: true });
  addHello(root);
  return root;
}

/** A project named `name` with only the hello pipeline (and Mage's project metadata.yaml). */
export function helloProject(name: string): string {
  const root = join(mkdtempSync(join(tmpdir(), 'pipewright-e2e-ws-')), name);
  mkdirSync(root);
  writeFileSync(join(root, 'metadata.yaml'), `project_name: ${name}\nproject_type: standalone\n`);
  addHello(root);
  return root;
}

/** A multi-root workspace file: the example (with hello) and a second project that also has hello. */
export function multiRootWorkspace(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pipewright-e2e-ws-')), 'multi.code-workspace');
  writeFileSync(file, JSON.stringify({ folders: [{ path: exampleWorkspace() }, { path: helloProject('second') }] }, null, 2));
  return file;
}
