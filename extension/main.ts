import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** Starts the language server, which checks pipeline files, io_config.yaml and block files as you type. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'language-server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', pattern: '**/{metadata,triggers,io_config,settings}.yaml' },
      { scheme: 'file', pattern: '**/*.{ts,sql,py}' },
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.yaml,.env,*.ts,*.sql,*.py}') },
  };
  client = new LanguageClient('pipewright', 'Pipewright', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('pipewright.validateProject', () => vscode.commands.executeCommand('workbench.actions.view.problems')),
  );
  await client.start();
}

/** Stops the language server with the window. */
export async function deactivate(): Promise<void> {
  await client?.stop();
}
