import { basename, dirname, join } from 'node:path';

/** A pipeline's own file: its metadata.yaml or its triggers.yaml. */
export interface PipelineFile {
  /** The pipeline's folder name under pipelines/ (its uuid, as Mage keeps them). */
  pipeline: string;
  kind: 'metadata' | 'triggers';
}

/**
 * Which pipeline file `file` is: `pipelines/<name>/metadata.yaml` or `triggers.yaml`, of the project
 * at `root` when it is given (a folder named pipelines elsewhere is not the project's). The one test
 * of this for the extension's lenses and the language server's features and checks.
 */
export function pipelineFileOf(root: string | undefined, file: string): PipelineFile | undefined {
  const name = basename(file);
  const kind = name === 'metadata.yaml' ? 'metadata' : name === 'triggers.yaml' ? 'triggers' : undefined;
  const pipelines = dirname(dirname(file));
  if (!kind || basename(pipelines) !== 'pipelines' || (root !== undefined && pipelines !== join(root, 'pipelines'))) return undefined;
  return { pipeline: basename(dirname(file)), kind };
}
