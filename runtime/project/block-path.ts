import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import { isWithin } from '../path-within.js';
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
  /** The path leads out of the project (`../x`, `/etc/passwd`, a symbolic link): never read or run. */
  outside?: boolean;
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
export function locateBlockFile(query: BlockFileQuery, options: { folders: ProjectFolders; host: ProjectHost }): BlockFileLocation | undefined {
  const { folders, host } = options;
  const dir = blockDirectory(query.type);
  // Kinds without code of their own (global data products, ...) have no file, whatever file_source says.
  if (!dir) return undefined;
  const config = query.configuration;
  const filePath = nonEmpty(config.file_path);
  if (filePath) return pick(candidates(filePath, query, folders), 'file_path', options);
  const source = config.file_source;
  const sourcePath = source && typeof source === 'object' ? nonEmpty((source as Record<string, unknown>).path) : undefined;
  if (sourcePath && folders.repoRoot !== folders.root) {
    return pick(candidates(sourcePath, query, folders), 'file_source', options);
  }
  return pick([join(folders.root, dir, `${query.uuid}.${LANGUAGE_EXTENSIONS[query.language]}`)], 'convention', { host, folders });
}

/**
 * Whether a file is inside the project (its multi-project root): as written, and where its symbolic
 * links lead. A block file outside it is never read or run, so a cloned repository cannot make a run
 * read `/etc/passwd` or `../other/secret.ts` into its errors and history.
 */
export function insideProject(file: string, options: { host: ProjectHost; folders: ProjectFolders }): boolean {
  const root = resolve(options.folders.repoRoot);
  if (!isWithin(root, resolve(file))) return false;
  // A file not there yet is where its nearest existing folder really is.
  let existing = resolve(file);
  let real = options.host.realPath(existing);
  while (real === undefined && dirname(existing) !== existing) {
    existing = dirname(existing);
    real = options.host.realPath(existing);
  }
  return real === undefined || isWithin(options.host.realPath(root) ?? root, real);
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

function pick(files: string[], via: BlockFileLocation['via'], options: { host: ProjectHost; folders: ProjectFolders }): BlockFileLocation {
  const inside = files.filter((file) => insideProject(file, options));
  if (inside.length === 0) return { file: resolve(files[0]), exists: false, via, outside: true };
  const existing = inside.find((file) => options.host.exists(file));
  return { file: existing ?? inside[0], exists: existing !== undefined, via };
}
