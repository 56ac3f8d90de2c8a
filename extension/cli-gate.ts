/** Verbs of the CLI that read what is on disk (outputs, logs, the history) and run none of the project's code. */
export const READ_ONLY_VERBS: ReadonlySet<string> = new Set(['preview', 'logs', 'runs']);

/** Why a call is refused in an untrusted workspace. */
export const UNTRUSTED_MESSAGE =
  "Pipewright runs nothing in an untrusted workspace: running a pipeline executes its code, and the workspace's settings could name the program to run. Trust the folder (Manage Workspace Trust) to run it.";

/** The pipewright.runtimePath setting at each level (vscode's `inspect()`). */
export interface RuntimePathSetting {
  globalValue?: string;
  workspaceValue?: string;
  workspaceFolderValue?: string;
}

/**
 * The Python a run's Python blocks use, as PIPEWRIGHT_PYTHON for the CLI: the pipewright.pythonPath
 * setting (in an untrusted workspace only the user's own), else the interpreter the Python extension
 * selected for the folder; nothing when neither says (the CLI then looks for .venv, venv, python3).
 */
export function pythonEnv(options: { trusted: boolean; pythonPath: RuntimePathSetting; selected?: string }): Record<string, string> {
  const setting = options.pythonPath;
  const configured = (options.trusted ? (setting.workspaceFolderValue ?? setting.workspaceValue ?? setting.globalValue) : setting.globalValue)?.trim();
  const python = configured || options.selected;
  return python ? { PIPEWRIGHT_PYTHON: python } : {};
}

/** The program a CLI call starts. */
export interface CliPlan {
  executable: string;
  args: string[];
}

/**
 * The one gate of every CLI call the extension makes (runs, backfills, the scheduler, previews,
 * logs, triggers, new blocks). In an untrusted workspace only read-only verbs go through, and only
 * with the user's own runtime setting: a repository's `.vscode/settings.json` could otherwise name
 * any program (`pipewright.runtimePath` is also a restricted setting in package.json).
 */
export function planCli(options: { trusted: boolean; verb: string; runtimePath: RuntimePathSetting; bundledCli: string; node: string }): CliPlan | { refused: string } {
  if (!options.trusted && !READ_ONLY_VERBS.has(options.verb)) return { refused: UNTRUSTED_MESSAGE };
  const setting = options.runtimePath;
  const configured = (options.trusted ? (setting.workspaceFolderValue ?? setting.workspaceValue ?? setting.globalValue) : setting.globalValue)?.trim();
  if (configured && !/\.[cm]?js$/.test(configured)) return { executable: configured, args: [] };
  return { executable: options.node, args: [configured || options.bundledCli] };
}
