import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TestContext } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { writeTree } from './project-tree.ts';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

/** Diagnostics as the server publishes them. */
export interface PublishedDiagnostics {
  uri: string;
  diagnostics: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    severity: number;
    code: string;
    message: string;
    data?: unknown;
  }[];
}

/** A real client of the built language server over stdio, as Neovim or Helix would start it. */
export class LspClient {
  readonly connection: MessageConnection;
  private readonly waiters: { match: (d: PublishedDiagnostics) => boolean; resolve: (d: PublishedDiagnostics) => void }[] = [];
  readonly received: PublishedDiagnostics[] = [];
  private readonly child;

  /** Starts the built server directly, or (`viaCli`) as other editors do: `pipewright lsp --stdio`. */
  constructor(options: { viaCli?: boolean } = {}) {
    const server = join(import.meta.dirname, '../../dist/language-server.js');
    const args = options.viaCli ? [join(import.meta.dirname, '../../bin/pipewright.js'), 'lsp', '--stdio'] : [server, '--stdio'];
    this.child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishedDiagnostics) => {
      this.received.push(params);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(params)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(params);
        }
      }
    });
    this.connection.listen();
  }

  async initialize(root: string): Promise<void> {
    await this.connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {} });
    await this.connection.sendNotification('initialized', {});
  }

  open(path: string, text: string, languageId = 'yaml'): void {
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: pathToFileURL(path).href, languageId, version: 1, text } });
  }

  change(path: string, version: number, text: string): void {
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: pathToFileURL(path).href, version },
      contentChanges: [{ text }],
    });
  }

  /** Tells the server a file changed on disk (the editor's file watcher). */
  watched(path: string): void {
    void this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path).href, type: 2 }] });
  }

  /** Sends a request about a position in a file (completion, hover, definition, ...). */
  at<T>(method: string, path: string, line: number, character: number): Promise<T> {
    return this.connection.sendRequest(method, { textDocument: { uri: pathToFileURL(path).href }, position: { line, character } }) as Promise<T>;
  }

  /** The code actions the server offers for a file's diagnostics. */
  codeActions<T>(path: string, diagnostics: PublishedDiagnostics['diagnostics']): Promise<T> {
    const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return this.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: pathToFileURL(path).href }, range, context: { diagnostics } }) as Promise<T>;
  }

  /** Waits for the next diagnostics of a file that satisfy `match`, failing after `ms`. */
  diagnostics(path: string, match: (d: PublishedDiagnostics) => boolean = () => true, ms = 10_000): Promise<PublishedDiagnostics> {
    const uri = pathToFileURL(path).href;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No matching diagnostics for ${path} within ${ms} ms`)), ms);
      this.waiters.push({
        match: (d) => d.uri === uri && match(d),
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      });
    });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } finally {
      this.connection.dispose();
      this.child.kill();
    }
  }
}

type Position = { line: number; character: number };
type TextEdit = { range: { start: Position; end: Position }; newText: string };
/** A workspace edit as servers send it: per-file edits, or document changes with file creations. */
export interface WorkspaceEdit {
  changes?: Record<string, TextEdit[]>;
  documentChanges?: (
    | { kind: 'create'; uri: string; options?: { ignoreIfExists?: boolean } }
    | { kind: 'rename'; oldUri: string; newUri: string }
    | { textDocument: { uri: string }; edits: TextEdit[] }
  )[];
}

function applyEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('', '', 0, text), edits);
}

/** Applies a workspace edit to the files on disk, as an editor applies a quick fix or a rename and saves. */
export function applyWorkspaceEdit(edit: WorkspaceEdit): void {
  const path = (uri: string) => fileURLToPath(uri);
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) writeFileSync(path(uri), applyEdits(readFileSync(path(uri), 'utf8'), edits));
  for (const change of edit.documentChanges ?? []) {
    if ('kind' in change && change.kind === 'create') {
      // Editors make the folders a new file needs.
      mkdirSync(dirname(path(change.uri)), { recursive: true });
      if (!existsSync(path(change.uri))) writeFileSync(path(change.uri), '');
    } else if ('kind' in change && change.kind === 'rename') {
      renameSync(path(change.oldUri), path(change.newUri));
    } else if ('textDocument' in change) {
      writeFileSync(path(change.textDocument.uri), applyEdits(readFileSync(path(change.textDocument.uri), 'utf8'), change.edits));
    }
  }
}

/** A project (files to write, or a folder already written) with a started, initialized client that stops with the test. */
export async function lspSession(t: TestContext, project: Record<string, string> | string, options: { viaCli?: boolean } = {}): Promise<{ client: LspClient; root: string }> {
  const root = typeof project === 'string' ? project : writeTree(t, project);
  const client = new LspClient(options);
  t.after(() => client.stop());
  await client.initialize(root);
  return { client, root };
}
