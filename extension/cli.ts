import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { planCli, pythonEnv, type CliPlan } from './cli-gate.js';

/** A CLI call refused by the trust gate (the user has been told, with a way to trust the folder). */
export class UntrustedWorkspaceError extends Error {}

/** Tells the user why nothing runs here, with the way to trust the folder. */
export function explainUntrusted(message: string): void {
  void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
}

/**
 * How the extension starts the runtime for `args`: its bundled CLI with the Node that VS Code ships
 * (`process.execPath` as plain Node through ELECTRON_RUN_AS_NODE), so users need no Node install;
 * or the CLI the `pipewright.runtimePath` setting names (a script run the same way, or an executable).
 * Every call passes the trust gate (see planCli); a refused one throws UntrustedWorkspaceError after
 * telling the user.
 */
export function cliCommand(context: vscode.ExtensionContext, args: string[], options: { root?: string } = {}): CliPlan & { env: Record<string, string> } {
  // MALLOC_ARENA_MAX: see bin/pipewright.js (runs hold far less memory with two glibc arenas).
  const env = {
    ELECTRON_RUN_AS_NODE: '1',
    FORCE_COLOR: '1',
    MALLOC_ARENA_MAX: '2',
    ...pythonEnv({
      trusted: vscode.workspace.isTrusted,
      pythonPath: vscode.workspace.getConfiguration('pipewright').inspect<string>('pythonPath') ?? {},
      selected: selectedPython(options.root),
    }),
  };
  const plan = planCli({
    trusted: vscode.workspace.isTrusted,
    verb: args[0] ?? '',
    runtimePath: vscode.workspace.getConfiguration('pipewright').inspect<string>('runtimePath') ?? {},
    bundledCli: context.asAbsolutePath('dist/cli.js'),
    node: process.execPath,
  });
  if ('refused' in plan) {
    explainUntrusted(plan.refused);
    throw new UntrustedWorkspaceError(plan.refused);
  }
  return { ...plan, env };
}

/** The Python extension's API, as far as Pipewright uses it (ms-python.python's `environments`). */
interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined };
}

/** The interpreter the Python extension has selected for a folder, when it is installed and active. */
function selectedPython(root: string | undefined): string | undefined {
  const python = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!python?.isActive) return undefined;
  try {
    return python.exports.environments?.getActiveEnvironmentPath(root ? vscode.Uri.file(root) : undefined)?.path;
  } catch {
    // An older Python extension without the environments API: the CLI finds an interpreter itself.
    return undefined;
  }
}

/** Runs the CLI to completion and resolves to its output (for JSON answers such as `preview --json`). */
export function runCli(context: vscode.ExtensionContext, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let command: ReturnType<typeof cliCommand>;
  try {
    command = cliCommand(context, args, { root: cwd });
  } catch (error) {
    if (error instanceof UntrustedWorkspaceError) return Promise.resolve({ code: 1, stdout: '', stderr: error.message });
    throw error;
  }
  const { executable, env } = command;
  return new Promise((resolve) => {
    execFile(
      executable,
      [...command.args, ...args],
      { cwd, env: { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' }, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
