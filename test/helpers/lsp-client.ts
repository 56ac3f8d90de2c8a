import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

/** Diagnostics as the server publishes them. */
export interface PublishedDiagnostics {
  uri: string;
  diagnostics: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity: number; code: string; message: string }[];
}

/** A real client of the built language server over stdio, as Neovim or Helix would start it. */
export class LspClient {
  readonly connection: MessageConnection;
  private readonly waiters: { match: (d: PublishedDiagnostics) => boolean; resolve: (d: PublishedDiagnostics) => void }[] = [];
  readonly received: PublishedDiagnostics[] = [];
  private readonly child;

  constructor() {
    const server = join(import.meta.dirname, '../../dist/language-server.js');
    this.child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
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

  /** Sends a request about a position in a file (completion, hover, definition, ...). */
  at<T>(method: string, path: string, line: number, character: number): Promise<T> {
    return this.connection.sendRequest(method, { textDocument: { uri: pathToFileURL(path).href }, position: { line, character } }) as Promise<T>;
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
