import { basename, dirname, join } from 'node:path';
import { diskHost, type ProjectHost } from '../runtime/project/host.js';

/**
 * Reads the editor's open documents first and the disk for the rest, so unsaved edits are checked.
 * `open` gives the open documents' texts by path, as they are now.
 */
export function overlayHost(open: () => ReadonlyMap<string, string>): ProjectHost {
  return {
    readFile(path) {
      return open().get(path) ?? diskHost.readFile(path);
    },
    exists(path) {
      return open().has(path) || diskHost.exists(path);
    },
    listDirs(path) {
      // A pipeline folder whose metadata.yaml is open but not saved yet is a folder too.
      const unsaved = [...open().keys()].filter((file) => dirname(dirname(file)) === path).map((file) => basename(dirname(file)));
      return unsaved.length === 0 ? diskHost.listDirs(path) : [...new Set([...diskHost.listDirs(path), ...unsaved])].sort();
    },
    realPath(path) {
      // An unsaved new file is where its path says (its folder's links resolved).
      return diskHost.realPath(path) ?? (open().has(path) ? join(diskHost.realPath(dirname(path)) ?? dirname(path), basename(path)) : undefined);
    },
    listFiles(path) {
      // Open documents not saved yet are files too.
      const unsaved = [...open().keys()].filter((file) => dirname(file) === path).map((file) => basename(file));
      return unsaved.length === 0 ? diskHost.listFiles(path) : [...new Set([...diskHost.listFiles(path), ...unsaved])].sort();
    },
  };
}
