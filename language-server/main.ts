import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeActionKind, createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LARGE_DOCUMENT } from './lsp-diagnostic.js';
import { diskHost } from '../runtime/project/host.js';
import { findProjectRoot } from '../runtime/project/load-project.js';
import type { Project } from '../runtime/project/model.js';
import { Diagnostics } from './diagnostics.js';
import { hoverBlockFile } from './block-hover.js';
import { codeActions } from './code-actions.js';
import { Models } from './models.js';
import { overlayHost } from './overlay-host.js';
import { blockReferences, entriesOfBlockFile, ioConfigSymbols, pipelineSymbols, renameBlock, triggerSymbols } from './navigation.js';
import { blockAt, completePipeline, definitionPipeline, hoverPipeline, pipelineOfFile } from './pipeline-features.js';
import { completeIoConfig, completeSql } from './source-features.js';
import { completeTriggers, hoverTriggers, pipelineOfTriggersFile } from './trigger-features.js';

// Started by the extension over IPC, or by other editors with --stdio (vscode-languageserver reads
// the transport from the command line).
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
/** The open documents' texts by path. */
function openTexts(): Map<string, string> {
  return new Map(
    documents
      .all()
      .filter((d) => d.uri.startsWith('file:'))
      .map((d) => [fileURLToPath(d.uri), d.getText()]),
  );
}
const host = overlayHost(openTexts);
const models = new Models(host);

connection.onInitialize(() => ({
  capabilities: {
    textDocumentSync: TextDocumentSyncKind.Incremental,
    completionProvider: { triggerCharacters: [' ', '[', ',', '-', ':', '{', "'", '"'] },
    hoverProvider: true,
    definitionProvider: true,
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    referencesProvider: true,
    renameProvider: { prepareProvider: true },
    documentSymbolProvider: true,
  },
  serverInfo: { name: 'pipewright' },
}));

/**
 * The project a request about a document reads. For a very large document (a triggers.yaml of
 * 100,000 triggers) the last model serves, even if the edit made it stale: loading the project again
 * takes seconds on this thread, and the checking thread publishes the document's diagnostics.
 */
function projectOf(root: string, document?: TextDocument): Project {
  return document && document.getText().length > LARGE_DOCUMENT ? models.latest(root) : models.get(root);
}

/** The project of a document and the document's path, for any file of a project. */
function fileRequest(uri: string) {
  const document = documents.get(uri);
  if (!document || !uri.startsWith('file:')) return undefined;
  const file = fileURLToPath(uri);
  const root = findProjectRoot(dirname(file), host);
  return root ? { project: projectOf(root, document), file, document } : undefined;
}

/** The project, pipeline and text of a request's document: a pipeline's metadata.yaml or triggers.yaml. */
function pipelineRequest(uri: string) {
  const request = fileRequest(uri);
  if (!request) return undefined;
  const { project, file, document } = request;
  const metadataOf = pipelineOfFile(project, file);
  if (metadataOf) return { kind: 'metadata' as const, project, pipeline: metadataOf, document };
  const triggersOf = pipelineOfTriggersFile(project, file);
  return triggersOf ? { kind: 'triggers' as const, project, pipeline: triggersOf, document } : undefined;
}

function guarded<T>(what: string, body: () => T | undefined): T | undefined {
  try {
    return body();
  } catch (error) {
    // A request on a half-typed file must never bring the server down.
    connection.console.error(`${what} failed: ${(error as Error).stack ?? String(error)}`);
    return undefined;
  }
}

connection.onCompletion(
  (params) =>
    guarded('Completion', () => {
      const request = pipelineRequest(params.textDocument.uri);
      if (request) {
        const offset = request.document.offsetAt(params.position);
        if (request.kind === 'triggers') return completeTriggers(request.document.getText(), offset);
        return completePipeline(request.project, request.pipeline, request.document.getText(), offset);
      }
      const file = fileRequest(params.textDocument.uri);
      if (!file) return [];
      const offset = file.document.offsetAt(params.position);
      // io_config.yaml is mid-edit here, often not valid YAML: known by its place, not its parse.
      if (file.file === join(file.project.root, 'io_config.yaml')) return completeIoConfig(file.project, file.document.getText(), offset);
      if (file.file.endsWith('.sql')) return completeSql(file.project, file.file, file.document.getText(), offset);
      return [];
    }) ?? [],
);
connection.onHover(
  (params) =>
    guarded('Hover', () => {
      const request = pipelineRequest(params.textDocument.uri);
      if (!request) {
        const file = fileRequest(params.textDocument.uri);
        return file && hoverBlockFile(file.project, file.file, file.document.getText(), file.document.offsetAt(params.position));
      }
      const offset = request.document.offsetAt(params.position);
      if (request.kind === 'triggers') return hoverTriggers(request.pipeline, request.document.getText(), offset);
      return hoverPipeline(request.project, request.pipeline, request.document.getText(), offset);
    }) ?? null,
);
/** The block under the cursor in a metadata.yaml, with its pipeline. */
function blockRequest(uri: string, position: { line: number; character: number }) {
  const request = pipelineRequest(uri);
  if (request?.kind !== 'metadata') return undefined;
  const at = blockAt(request.pipeline, request.document.getText(), request.document.offsetAt(position));
  return at ? { ...request, ...at } : undefined;
}

connection.onDefinition(
  (params) =>
    guarded('Definition', () => {
      const request = pipelineRequest(params.textDocument.uri);
      if (request?.kind === 'metadata') return definitionPipeline(request.pipeline, request.document.getText(), request.document.offsetAt(params.position));
      // A block file: its entries in the metadata.yaml of every pipeline using it.
      const file = fileRequest(params.textDocument.uri);
      const entries = file ? entriesOfBlockFile(file.project, file.file) : [];
      return entries.length > 0 ? entries : undefined;
    }) ?? null,
);
connection.onReferences(
  (params) =>
    guarded('References', () => {
      const request = blockRequest(params.textDocument.uri, params.position);
      if (request) return blockReferences(request.project, request.pipeline, request.block, params.context.includeDeclaration);
      const file = fileRequest(params.textDocument.uri);
      return file ? entriesOfBlockFile(file.project, file.file) : [];
    }) ?? [],
);
connection.onPrepareRename(
  (params) =>
    guarded('Rename', () => {
      const request = blockRequest(params.textDocument.uri, params.position);
      if (!request) return undefined;
      return { range: { start: request.document.positionAt(request.start), end: request.document.positionAt(request.end) }, placeholder: request.block.uuid };
    }) ?? null,
);
connection.onRenameRequest((params) => {
  const request = blockRequest(params.textDocument.uri, params.position);
  // Errors (a taken name, a file in the way) go back to the editor, which shows them.
  return request ? renameBlock(request.project, request.pipeline, request.block, params.newName, host) : null;
});
connection.onDocumentSymbol(
  (params) =>
    guarded('Symbols', () => {
      const request = pipelineRequest(params.textDocument.uri);
      if (request?.kind === 'metadata') return pipelineSymbols(request.pipeline);
      if (request?.kind === 'triggers') return triggerSymbols(request.pipeline);
      const file = fileRequest(params.textDocument.uri);
      const config = file?.project.ioConfig;
      return config && config.file.path === file.file ? ioConfigSymbols(config.file) : [];
    }) ?? [],
);

connection.onCodeAction(
  (params) =>
    guarded('Code action', () => {
      const uri = params.textDocument.uri;
      const root = uri.startsWith('file:') ? findProjectRoot(dirname(fileURLToPath(uri)), host) : undefined;
      return codeActions(params.context.diagnostics, uri, host, root);
    }) ?? [],
);

const diagnostics = new Diagnostics(connection, host, models, openTexts);
const sameAsDisk = (document: TextDocument) => document.uri.startsWith('file:') && diskHost.readFile(fileURLToPath(document.uri)) === document.getText();
documents.onDidOpen((event) => diagnostics.changed(event.document.uri, { sameAsDisk: sameAsDisk(event.document) }));
documents.onDidChangeContent((event) => diagnostics.changed(event.document.uri, { edit: true }));
documents.onDidClose((event) => diagnostics.changed(event.document.uri, { sameAsDisk: sameAsDisk(event.document) }));
connection.onDidChangeWatchedFiles((event) => event.changes.forEach((change) => diagnostics.changed(change.uri)));

documents.listen(connection);
connection.listen();
