import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Problem } from '../runtime/problem.js';

const SEVERITY: Record<Problem['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  hint: DiagnosticSeverity.Hint,
};

/** A runtime problem as an LSP diagnostic: the same problem, 0-based. */
export function toDiagnostic(problem: Problem): Diagnostic {
  const { start, end } = problem.range;
  return {
    range: {
      start: { line: start.line - 1, character: start.col - 1 },
      end: { line: end.line - 1, character: end.col - 1 },
    },
    severity: SEVERITY[problem.severity],
    code: problem.code,
    source: 'pipewright',
    message: problem.message,
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
