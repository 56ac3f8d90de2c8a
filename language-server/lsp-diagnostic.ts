import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';
import { shortMessage, type Problem, type SourceRange } from '../runtime/problem.js';

const SEVERITY: Record<Problem['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  hint: DiagnosticSeverity.Hint,
};

/** A runtime range (1-based) as an LSP range (0-based). */
export function toRange({ start, end }: SourceRange): Range {
  return {
    start: { line: start.line - 1, character: start.col - 1 },
    end: { line: end.line - 1, character: end.col - 1 },
  };
}

/**
 * Past this many characters a document's own checks run on the checking thread, and requests about
 * it read the last project model: reading it again takes seconds (100,000 triggers: about 3 s).
 */
export const LARGE_DOCUMENT = 1024 * 1024;

/** A runtime problem as an LSP diagnostic: the same problem, 0-based; its fix rides along as data for the quick fix. */
export function toDiagnostic(problem: Problem): Diagnostic {
  return {
    range: toRange(problem.range),
    severity: SEVERITY[problem.severity],
    code: problem.code,
    source: 'pipewright',
    message: shortMessage(problem.message),
    ...(problem.fix ? { data: problem.fix } : {}),
  };
}

/** Groups problems by the document they belong to, keyed by file URI. */
export function diagnosticsByUri(problems: Problem[]): Map<string, Diagnostic[]> {
  const byUri = new Map<string, Diagnostic[]>();
  for (const problem of problems) {
    const uri = pathToFileURL(problem.range.file).href;
    const list = byUri.get(uri) ?? [];
    list.push(toDiagnostic(problem));
    byUri.set(uri, list);
  }
  return byUri;
}
