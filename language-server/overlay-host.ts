import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { diskHost, type ProjectHost } from '../runtime/project/host.js';

/** Reads the editor's open documents first and the disk for the rest, so unsaved edits are checked. */
export function overlayHost(documents: TextDocuments<TextDocument>): ProjectHost {
  const open = () => new Map(documents.all().filter((d) => d.uri.startsWith('file:')).map((d) => [fileURLToPath(d.uri), d]));
  return {
    readFile(path) {
      const document = open().get(path);
      return document ? document.getText() : diskHost.readFile(path);
    },
    exists(path) {
      return open().has(path) || diskHost.exists(path);
    },
    listDirs(path) {
      // A pipeline folder whose metadata.yaml is open but not saved yet is a folder too.
      const unsaved = [...open().keys()].filter((file) => dirname(dirname(file)) === path).map((file) => basename(dirname(file)));
      return unsaved.length === 0 ? diskHost.listDirs(path) : [...new Set([...diskHost.listDirs(path), ...unsaved])].sort();
    },
    listFiles(path) {
      // Open documents not saved yet are files too.
      const unsaved = [...open().keys()].filter((file) => dirname(file) === path).map((file) => basename(file));
      return [...new Set([...diskHost.listFiles(path), ...unsaved])].sort();
    },
  };
}
