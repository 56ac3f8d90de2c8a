/** A 1-based line and column, as the CLI prints them. */
export interface Pos {
  line: number;
  col: number;
}

/** Where a problem or a value sits in a file. Lines and columns are 1-based, as the CLI prints them. */
export interface SourceRange {
  file: string;
  start: Pos;
  end: Pos;
}

/** How bad a problem is; `hint` never fails a validation. */
export type Severity = 'error' | 'warning' | 'hint';

/** Every kind of problem Pipewright reports; tests assert on these, never on message text. */
export type ProblemCode =
  | 'yaml-syntax'
  | 'duplicate-key'
  | 'empty-file'
  | 'schema'
  | 'unknown-block-type'
  | 'unknown-language'
  | 'missing-uuid'
  | 'uuid-mismatch'
  | 'duplicate-uuid'
  | 'unknown-upstream'
  | 'unknown-downstream'
  | 'edge-mismatch'
  | 'cycle'
  | 'dynamic-shape'
  | 'attached-type'
  | 'missing-block-file'
  | 'block-file-outside'
  | 'block-type-mismatch'
  | 'unknown-upstream-df'
  | 'python-arity'
  | 'run-failed'
  | 'orphan-block-file'
  | 'literal-secret'
  | 'stale-file-source'
  | 'missing-env-var'
  | 'unquoted-env-var'
  | 'raw-sql-variable'
  | 'template-syntax'
  | 'invalid-schedule'
  | 'invalid-start-time'
  | 'duplicate-trigger'
  | 'unknown-profile'
  | 'legacy-io-config'
  | 'missing-project'
  | 'io-error'
  | 'too-many-problems';

/** How a problem can be fixed mechanically; the language server offers it as a quick fix. */
export type ProblemFix =
  /** Put quotes around env_var's argument (the problem's range). */
  | { kind: 'quote-env-var'; name: string }
  /** Replace the expression (the problem's range) with `text`, its `| sql_literal` form. */
  | { kind: 'sql-literal'; text: string }
  /** Create the block's missing file from the template of its type. */
  | { kind: 'create-block-file'; file: string; type: string; language: string; upstream: string[] }
  /** Add `uuid` to block `block`'s `key` list in the pipeline's metadata.yaml `file`. */
  | { kind: 'add-link'; file: string; block: string; key: 'upstream_blocks' | 'downstream_blocks'; uuid: string }
  /** Read a literal secret of io_config.yaml (at `valueRange`) with env_var(name), adding `value` to `envFile` unless the project has it already. */
  | { kind: 'env-var-secret'; name: string; value?: string; valueRange: SourceRange; envFile: string };

/** One thing wrong with a project, always tied to the place in a file that causes it. */
export interface Problem {
  code: ProblemCode;
  severity: Severity;
  message: string;
  range: SourceRange;
  fix?: ProblemFix;
}

/** The result of any loader: bad input becomes problems, never an exception. */
export interface Loaded<T> {
  value: T;
  problems: Problem[];
}

/** A range covering the first character of a file, for problems about a whole file. */
export function fileStart(file: string): SourceRange {
  return { file, start: { line: 1, col: 1 }, end: { line: 1, col: 1 } };
}

/** Formats a problem as `file:line:col: severity: message`, the form editors and CI logs link. */
export function formatProblem(problem: Problem, relativeTo?: (file: string) => string): string {
  const file = relativeTo ? relativeTo(problem.range.file) : problem.range.file;
  const { line, col } = problem.range.start;
  return `${file}:${line}:${col}: ${problem.severity}: ${problem.message}`;
}

/** Orders problems by file, then position, so output is stable whatever order checks ran in. */
export function compareProblems(a: Problem, b: Problem): number {
  if (a.range.file !== b.range.file) return a.range.file < b.range.file ? -1 : 1;
  return a.range.start.line - b.range.start.line || a.range.start.col - b.range.start.col;
}

/** The most characters of a quoted value a message repeats. */
const QUOTED_MAX = 80;

/** A message with each quoted value cut to 80 characters and "…": a 10 MB value made 20 MB of output. */
export function shortMessage(message: string): string {
  if (message.length <= QUOTED_MAX * 2) return message;
  // Quotes pair from the left, so the text between two quoted values is never taken for one.
  const cut = message.replace(/"([^"]*)"/g, (all, value: string) => (value.length > QUOTED_MAX ? `"${value.slice(0, QUOTED_MAX)}…"` : all));
  // A huge value that is not quoted (a path, an unterminated quote) is cut too.
  return cut.replace(/[^"\s]{500,}/g, (run) => `${run.slice(0, QUOTED_MAX)}…`);
}

/** Adds problems to a list (`push(...list)` overflows the stack past about 100,000 of them). */
export function addProblems(target: Problem[], more: readonly Problem[]): void {
  for (const problem of more) target.push(problem);
}

/** The most problems shown for one file: past that, one problem says how many more there are. */
const PER_FILE = 200;

/**
 * Problems as every surface shows them: in file order, their messages of bounded length, at most
 * 200 for one file (an io_config.yaml with 100,000 stray keys gave 200,000 lines, and the language
 * server held them all).
 */
export function finishProblems(problems: Problem[]): Problem[] {
  for (const problem of problems) problem.message = shortMessage(problem.message);
  problems.sort(compareProblems);
  const byFile = new Map<string, Problem[]>();
  for (const problem of problems) {
    const list = byFile.get(problem.range.file) ?? [];
    list.push(problem);
    byFile.set(problem.range.file, list);
  }
  const shown: Problem[] = [];
  for (const list of byFile.values()) {
    // Problems finished before (a project's, then the workspace's) are not counted twice.
    const own = list.filter((p) => p.code !== 'too-many-problems');
    const earlier = list.find((p) => p.code === 'too-many-problems');
    if (own.length <= PER_FILE) {
      addProblems(shown, list);
      continue;
    }
    addProblems(shown, own.slice(0, PER_FILE));
    const more = own.length - PER_FILE + (earlier ? Number(/^(\d+)/.exec(earlier.message)?.[1] ?? 0) : 0);
    shown.push({ ...own[PER_FILE], code: 'too-many-problems', severity: 'error', message: `${more} more problems in this file are not shown: fix the ones above first` });
  }
  return shown;
}
