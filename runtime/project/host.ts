import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';

/**
 * What the project loader reads through. The CLI reads the disk; the language server lays the editor's
 * unsaved documents over it, so both build the same model from the same code.
 */
export interface ProjectHost {
  /** The file's text, or undefined when it does not exist or is not a file. */
  readFile(path: string): string | undefined;
  exists(path: string): boolean;
  /** Names of the folders directly inside `path`; empty when it is not a folder. */
  listDirs(path: string): string[];
  /** Names of the files directly inside `path`; empty when it is not a folder. */
  listFiles(path: string): string[];
  /** Where `path` really is, symbolic links resolved; undefined when it does not exist. */
  realPath(path: string): string | undefined;
}

/** Reads the real file system. */
export const diskHost: ProjectHost = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
      throw new Error(`Cannot read ${path}`, { cause: error });
    }
  },
  exists(path) {
    return existsSync(path);
  },
  listDirs(path) {
    try {
      return readdirSync(path, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() || (entry.isSymbolicLink() && statSync(`${path}/${entry.name}`).isDirectory()))
        .map((entry) => entry.name)
        .sort();
    } catch {
      return [];
    }
  },
  listFiles(path) {
    try {
      return readdirSync(path, { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name)
        .sort();
    } catch {
      return [];
    }
  },
  realPath(path) {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  },
};
