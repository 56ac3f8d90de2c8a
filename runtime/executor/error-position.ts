import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A place in a source file, 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/**
 * Where in the block's own source an error was thrown: the first stack frame inside the compiled
 * block, mapped back through its source map. Reads V8's structured call sites, not the stack text.
 */
export function errorPosition(error: unknown, compiledFile: string): SourcePosition | undefined {
  if (!(error instanceof Error)) return undefined;
  const frame = callSites(error).find((f) => f.getFileName() === compiledFile);
  return frame ? originalPosition(frame) : undefined;
}

/** A call site's place in the original source, when its file has a source map. */
function originalPosition(site: NodeJS.CallSite): SourcePosition | undefined {
  const file = site.getFileName();
  const map = file ? findSourceMap(file) : undefined;
  if (!map) return undefined;
  const entry = map.findEntry((site.getLineNumber() ?? 1) - 1, (site.getColumnNumber() ?? 1) - 1) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
  };
  if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
  const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : entry.originalSource;
  return { file: source, line: entry.originalLine + 1, col: (entry.originalColumn ?? 0) + 1 };
}

function formatSite(site: NodeJS.CallSite): string {
  const where = originalPosition(site);
  if (!where) return `    at ${String(site)}`;
  const name = site.getFunctionName();
  const place = `${where.file}:${where.line}:${where.col}`;
  return name ? `    at ${name} (${place})` : `    at ${place}`;
}

// The call sites of an error's stack, captured when the error was made (see captureCallSites).
const SITES = Symbol.for('pipewright.callSites');

/** Keeps V8's call sites on every error created from now on in this thread, for errorPosition. */
export function captureCallSites(): void {
  const original = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, sites) => {
    Object.defineProperty(error, SITES, { value: sites, enumerable: false });
    return original ? original(error, sites) : `${String(error)}\n${sites.map(formatSite).join('\n')}`;
  };
}

function callSites(error: Error): NodeJS.CallSite[] {
  void error.stack; // V8 prepares the stack (and so records the call sites) on first access.
  return ((error as unknown as Record<symbol, NodeJS.CallSite[]>)[SITES] ?? []) as NodeJS.CallSite[];
}
