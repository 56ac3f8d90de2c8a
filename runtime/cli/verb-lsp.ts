import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Verb } from './command.js';

/** `pipewright lsp --stdio`: the language server the VS Code extension uses, for other editors. */
export const lspVerb: Verb = {
  name: 'lsp',
  summary: "Start Pipewright's language server over stdio, for editors other than VS Code (Neovim, Helix, Zed, ...).",
  usage: 'pipewright lsp --stdio',
  details:
    'The same server the VS Code extension starts: diagnostics as you type, completion, hover, go to\n' +
    'definition, references, rename, document symbols and quick fixes, for metadata.yaml, triggers.yaml,\n' +
    'io_config.yaml and block files. Point your editor at this command for yaml, typescript and sql files\n' +
    'in a Pipewright or Mage project.',
  flags: {
    stdio: { type: 'boolean', description: 'Speak the Language Server Protocol on stdin and stdout (the only transport)' },
  },
  run(invocation) {
    if (!invocation.flags.stdio) {
      invocation.err('error: The language server talks over stdio: pipewright lsp --stdio');
      return 2;
    }
    // The server is its own bundle beside this one (dist/); runtime never imports the language server.
    const server = join(typeof __dirname === 'string' ? __dirname : process.cwd(), 'language-server.js');
    if (!existsSync(server)) {
      invocation.err(`error: ${server} is missing: run "npm run build" in Pipewright's folder`);
      return 70;
    }
    const child = spawn(process.execPath, [server, '--stdio'], { stdio: 'inherit' });
    return new Promise<number>((resolve) => {
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
      child.on('error', (error) => {
        invocation.err(`error: cannot start the language server: ${error.message}`);
        resolve(70);
      });
    });
  },
};
