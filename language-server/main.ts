import { fileURLToPath } from 'node:url';
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { findProjectRoot, loadProject } from '../runtime/project/load-project.js';
import { validateProject } from '../runtime/validate-project.js';
import { diagnosticsByUri } from './diagnostics.js';
import { overlayHost } from './overlay-host.js';

// Started by the extension over IPC, or by other editors with --stdio (vscode-languageserver reads
// the transport from the command line).
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const host = overlayHost(documents);
/** URIs that got diagnostics last time, per project, so fixed files are cleared. */
const published = new Map<string, Set<string>>();
const pending = new Map<string, NodeJS.Timeout>();

connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
  serverInfo: { name: 'pipewright' },
}));

/** Re-checks the whole project of a document: one edit can change the problems of other files. */
function checkProject(root: string): void {
  let problems;
  try {
    problems = validateProject(loadProject(root, { host }));
  } catch (error) {
    connection.console.error(`Cannot check ${root}: ${(error as Error).message}`);
    return;
  }
  const byUri = diagnosticsByUri(problems);
  for (const uri of published.get(root) ?? []) if (!byUri.has(uri)) connection.sendDiagnostics({ uri, diagnostics: [] });
  for (const [uri, diagnostics] of byUri) connection.sendDiagnostics({ uri, diagnostics });
  published.set(root, new Set(byUri.keys()));
}

function schedule(uri: string): void {
  if (!uri.startsWith('file:')) return;
  const root = findProjectRoot(fileURLToPath(new URL('.', uri)), host);
  if (!root) return;
  clearTimeout(pending.get(root));
  // A short pause lets a burst of keystrokes settle into one check.
  pending.set(root, setTimeout(() => {
    pending.delete(root);
    checkProject(root);
  }, 120));
}

documents.onDidOpen((event) => schedule(event.document.uri));
documents.onDidChangeContent((event) => schedule(event.document.uri));
documents.onDidClose((event) => schedule(event.document.uri));
connection.onDidChangeWatchedFiles((event) => event.changes.forEach((change) => schedule(change.uri)));

documents.listen(connection);
connection.listen();
