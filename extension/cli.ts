import { execFile } from 'node:child_process';
import * as vscode from 'vscode';

/**
 * How the extension starts the runtime: its bundled CLI with the Node that VS Code ships
 * (`process.execPath` as plain Node through ELECTRON_RUN_AS_NODE), so users need no Node install.
 */
export function cliCommand(context: vscode.ExtensionContext): { executable: string; script: string; env: Record<string, string> } {
  // MALLOC_ARENA_MAX: see bin/pipewright.js (runs hold far less memory with two glibc arenas).
  return { executable: process.execPath, script: context.asAbsolutePath('dist/cli.js'), env: { ELECTRON_RUN_AS_NODE: '1', FORCE_COLOR: '1', MALLOC_ARENA_MAX: '2' } };
}

/** Runs the CLI to completion and resolves to its output (for JSON answers such as `preview --json`). */
export function runCli(context: vscode.ExtensionContext, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { executable, script, env } = cliCommand(context);
  return new Promise((resolve) => {
    execFile(executable, [script, ...args], { cwd, env: { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' }, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
