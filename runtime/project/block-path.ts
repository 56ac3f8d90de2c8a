import { basename, isAbsolute, join, normalize } from 'node:path';
import { blockDirectory, LANGUAGE_EXTENSIONS, type BlockLanguage } from './block-kinds.js';
import type { ProjectHost } from './host.js';

/** What decides where a block's file is. */
export interface BlockFileQuery {
  uuid: string;
  type: string;
  language: BlockLanguage;
  configuration: Record<string, unknown>;
}

/** Where a block's file is, and which rule chose it. */
export interface BlockFileLocation {
  file: string;
  exists: boolean;
  /** `file_path`/`file_source` when the configuration chose the file, else the folder convention. */
  via: 'file_path' | 'file_source' | 'convention';
}

/** The folders a project's block paths are read against. */
export interface ProjectFolders {
  root: string;
  /** The multi-project root (the folder with settings.yaml), or `root`. */
  repoRoot: string;
}

/**
 * Finds a block's file as Mage does: `configuration.file_path` when given, `file_source.path` only in a
 * multi-project setup (Mage ignores it elsewhere, and real projects carry stale ones), else
 * `<type folder>/<uuid>.<ext>`. Returns undefined for block kinds that have no file.
 */
export function locateBlockFile(
  query: BlockFileQuery,
  options: { folders: ProjectFolders; host: ProjectHost },
): BlockFileLocation | undefined {
  const { folders, host } = options;
  const dir = blockDirectory(query.type);
  // Kinds without code of their own (global data products, ...) have no file, whatever file_source says.
  if (!dir) return undefined;
  const config = query.configuration;
  const filePath = nonEmpty(config.file_path);
  if (filePath) return pick(candidates(filePath, query, folders), 'file_path', host);
  const source = config.file_source;
  const sourcePath = source && typeof source === 'object' ? nonEmpty((source as Record<string, unknown>).path) : undefined;
  if (sourcePath && folders.repoRoot !== folders.root) {
    return pick(candidates(sourcePath, query, folders), 'file_source', host);
  }
  const file = join(folders.root, dir, `${query.uuid}.${LANGUAGE_EXTENSIONS[query.language]}`);
  return { file, exists: host.exists(file), via: 'convention' };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The places a configured path may mean, most likely first. */
function candidates(path: string, query: BlockFileQuery, folders: ProjectFolders): string[] {
  const found: string[] = [];
  const projectName = basename(folders.root);
  let relative = path;
  if (isAbsolute(path)) {
    // Mage runs in a container with the project at /home/src/<project>: map that to this project's root.
    const parts = normalize(path).split('/').filter(Boolean);
    const at = parts.lastIndexOf(projectName);
    if (at >= 0) relative = parts.slice(at + 1).join('/');
    else if (parts[0] === 'home' && parts[1] === 'src' && parts.length > 3) relative = parts.slice(3).join('/');
    else return [normalize(path)];
  }
  found.push(join(folders.repoRoot, relative), join(folders.root, relative));
  // Paths in a multi-project setup start with the sub-project's folder name.
  if (relative.startsWith(`${projectName}/`)) found.push(join(folders.root, relative.slice(projectName.length + 1)));
  // dbt blocks name their model relative to the project's dbt/ folder.
  if (query.type === 'dbt' && !relative.startsWith('dbt/')) found.push(join(folders.root, 'dbt', relative));
  // The path as written is still used when it exists on this machine and the mapped ones do not.
  if (isAbsolute(path)) found.push(normalize(path));
  return [...new Set(found)];
}

function pick(files: string[], via: BlockFileLocation['via'], host: ProjectHost): BlockFileLocation {
  const existing = files.find((file) => host.exists(file));
  return { file: existing ?? files[0], exists: existing !== undefined, via };
}
