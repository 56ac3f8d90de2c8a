import { execFile } from 'node:child_process';
import * as vscode from 'vscode';

/**
 * How the extension starts the runtime: its bundled CLI with the Node that VS Code ships
 * (`process.execPath` as plain Node through ELECTRON_RUN_AS_NODE), so users need no Node install;
 * or the CLI the `pipewright.runtimePath` setting names (a script run the same way, or an executable).
 */
export function cliCommand(context: vscode.ExtensionContext): { executable: string; args: string[]; env: Record<string, string> } {
  // MALLOC_ARENA_MAX: see bin/pipewright.js (runs hold far less memory with two glibc arenas).
  const env = { ELECTRON_RUN_AS_NODE: '1', FORCE_COLOR: '1', MALLOC_ARENA_MAX: '2' };
  const configured = vscode.workspace.getConfiguration('pipewright').get<string>('runtimePath')?.trim();
  if (configured && !/\.[cm]?js$/.test(configured)) return { executable: configured, args: [], env };
  return { executable: process.execPath, args: [configured || context.asAbsolutePath('dist/cli.js')], env };
}

/** Runs the CLI to completion and resolves to its output (for JSON answers such as `preview --json`). */
export function runCli(context: vscode.ExtensionContext, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = cliCommand(context);
  const { executable, env } = command;
  return new Promise((resolve) => {
    execFile(executable, [...command.args, ...args], { cwd, env: { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' }, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
