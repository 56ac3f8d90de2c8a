import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createFile } from '../project/write-file.js';
import { slugify } from './slug.js';

/** Creates pipelines/<uuid>/metadata.yaml (keys sorted, as Mage writes them) and an empty triggers.yaml. */
export function newPipeline(root: string, options: { name: string; description?: string }): { uuid: string; files: string[] } {
  const uuid = slugify(options.name);
  if (!uuid) throw new Error(`Cannot make a pipeline uuid from "${options.name}": use letters, digits or underscores`);
  const dir = join(root, 'pipelines', uuid);
  if (existsSync(join(dir, 'metadata.yaml'))) throw new Error(`Pipeline "${uuid}" already exists in ${dir}`);
  const metadata = [
    'blocks: []',
    `description: ${options.description ? JSON.stringify(options.description) : 'null'}`,
    `name: ${JSON.stringify(options.name)}`,
    'tags: []',
    'type: python',
    `uuid: ${uuid}`,
    'variables: {}',
    '',
  ].join('\n');
  const files = [join(dir, 'metadata.yaml'), join(dir, 'triggers.yaml')];
  createFile(files[0], metadata);
  createFile(files[1], 'triggers: []\n');
  return { uuid, files };
}
