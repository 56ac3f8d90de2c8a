import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeActionKind, createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { findProjectRoot, loadProject, reloadPipeline } from '../runtime/project/load-project.js';
import type { Project } from '../runtime/project/model.js';
import { validatePipeline, validateProject } from '../runtime/validate-project.js';
import { codeActions } from './code-actions.js';
import { diagnosticsByUri } from './diagnostics.js';
import { overlayHost } from './overlay-host.js';
import { blockReferences, entriesOfBlockFile, ioConfigSymbols, pipelineSymbols, renameBlock, triggerSymbols } from './navigation.js';
import { blockAt, completePipeline, definitionPipeline, hoverPipeline, pipelineOfFile } from './pipeline-features.js';
import { completeIoConfig, completeSql } from './source-features.js';
import { completeTriggers, hoverTriggers, pipelineOfTriggersFile } from './trigger-features.js';

// Started by the extension over IPC, or by other editors with --stdio (vscode-languageserver reads
// the transport from the command line).
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const host = overlayHost(documents);
/** URIs that got diagnostics last time, per project, so fixed files are cleared. */
const published = new Map<string, Set<string>>();
const pending = new Map<string, NodeJS.Timeout>();

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

// The project model, rebuilt after any change; requests between two changes share one.
let changes = 0;
const models = new Map<string, { project: Project; at: number }>();
function projectOf(root: string): Project {
  const cached = models.get(root);
  if (cached && cached.at === changes) return cached.project;
  const project = loadProject(root, { host });
  models.set(root, { project, at: changes });
  return project;
}

/** The project of a document and the document's path, for any file of a project. */
function fileRequest(uri: string) {
  const document = documents.get(uri);
  if (!document || !uri.startsWith('file:')) return undefined;
  const file = fileURLToPath(uri);
  const root = findProjectRoot(dirname(file), host);
  return root ? { project: projectOf(root), file, document } : undefined;
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

connection.onCompletion((params) =>
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
connection.onHover((params) =>
  guarded('Hover', () => {
    const request = pipelineRequest(params.textDocument.uri);
    if (!request) return undefined;
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

connection.onDefinition((params) =>
  guarded('Definition', () => {
    const request = pipelineRequest(params.textDocument.uri);
    if (request?.kind === 'metadata') return definitionPipeline(request.pipeline, request.document.getText(), request.document.offsetAt(params.position));
    // A block file: its entries in the metadata.yaml of every pipeline using it.
    const file = fileRequest(params.textDocument.uri);
    const entries = file ? entriesOfBlockFile(file.project, file.file) : [];
    return entries.length > 0 ? entries : undefined;
  }) ?? null,
);
connection.onReferences((params) =>
  guarded('References', () => {
    const request = blockRequest(params.textDocument.uri, params.position);
    if (request) return blockReferences(request.project, request.pipeline, request.block, params.context.includeDeclaration);
    const file = fileRequest(params.textDocument.uri);
    return file ? entriesOfBlockFile(file.project, file.file) : [];
  }) ?? [],
);
connection.onPrepareRename((params) =>
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
connection.onDocumentSymbol((params) =>
  guarded('Symbols', () => {
    const request = pipelineRequest(params.textDocument.uri);
    if (request?.kind === 'metadata') return pipelineSymbols(request.pipeline);
    if (request?.kind === 'triggers') return triggerSymbols(request.pipeline);
    const file = fileRequest(params.textDocument.uri);
    const config = file?.project.ioConfig;
    return config && config.file.path === file.file ? ioConfigSymbols(config.file) : [];
  }) ?? [],
);

connection.onCodeAction((params) =>
  guarded('Code action', () => {
    const uri = params.textDocument.uri;
    const root = uri.startsWith('file:') ? findProjectRoot(dirname(fileURLToPath(uri)), host) : undefined;
    return codeActions(params.context.diagnostics, uri, host, root);
  }) ?? [],
);

/** Re-checks the whole project of a document: one edit can change the problems of other files. */
function checkProject(root: string): void {
  let problems;
  try {
    problems = validateProject(projectOf(root), { host });
  } catch (error) {
    connection.console.error(`Cannot check ${root}: ${(error as Error).message}`);
    return;
  }
  const byUri = diagnosticsByUri(problems);
  for (const uri of published.get(root) ?? []) if (!byUri.has(uri)) connection.sendDiagnostics({ uri, diagnostics: [] });
  for (const [uri, diagnostics] of byUri) connection.sendDiagnostics({ uri, diagnostics });
  published.set(root, new Set(byUri.keys()));
}

/**
 * An edit of a known pipeline's metadata.yaml or triggers.yaml: that pipeline is read again into the
 * model and its files' diagnostics go out at once; true when it was such an edit.
 */
function checkPipelineEdit(root: string, uri: string): boolean {
  const file = fileURLToPath(uri);
  const dir = dirname(file);
  const cached = models.get(root);
  // Only a model that was current before this edit can be updated by it (schedule counted the edit).
  if (!cached || cached.at !== changes - 1 || dirname(dir) !== join(root, 'pipelines') || !['metadata.yaml', 'triggers.yaml'].includes(basename(file))) return false;
  if (![...cached.project.pipelines.values()].some((p) => p.dir === dir)) return false;
  try {
    const project = reloadPipeline(cached.project, dir, host);
    models.set(root, { project, at: changes });
    const pipeline = [...project.pipelines.values()].find((p) => p.dir === dir);
    const diagnostics = pipeline ? (diagnosticsByUri(validatePipeline(project, pipeline)).get(uri) ?? []) : [];
    connection.sendDiagnostics({ uri, diagnostics });
    published.get(root)?.add(uri);
    return true;
  } catch (error) {
    connection.console.error(`Cannot check ${file}: ${(error as Error).message}`);
    return false;
  }
}

function schedule(uri: string, edit = false): void {
  changes++;
  if (!uri.startsWith('file:')) return;
  const root = findProjectRoot(dirname(fileURLToPath(uri)), host);
  if (!root) return;
  // Editing one pipeline answers at once from the model kept up to date; the whole project (other
  // files that the edit may affect) is checked once typing pauses.
  const quick = edit && checkPipelineEdit(root, uri);
  clearTimeout(pending.get(root));
  pending.set(root, setTimeout(() => {
    pending.delete(root);
    checkProject(root);
  }, quick ? 400 : 120));
}

documents.onDidOpen((event) => schedule(event.document.uri));
documents.onDidChangeContent((event) => schedule(event.document.uri, true));
documents.onDidClose((event) => schedule(event.document.uri));
connection.onDidChangeWatchedFiles((event) => event.changes.forEach((change) => schedule(change.uri)));

documents.listen(connection);
connection.listen();
