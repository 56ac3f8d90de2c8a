import { isAbsolute, relative } from 'node:path';
import { formatProblem, type Problem } from '../problem.js';

/** Whether to colour output: a TTY, and neither NO_COLOR nor a dumb terminal. */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

const CODES = { red: 31, yellow: 33, green: 32, cyan: 36, dim: 2, bold: 1 } as const;

/** Wraps text in an ANSI colour when colour is on. */
export function paint(color: boolean, style: keyof typeof CODES, text: string): string {
  return color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

/** Shows a path relative to the working folder when it is inside it, so terminals make it a link. */
export function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** One problem as a line, its severity coloured. */
export function problemLine(problem: Problem, options: { cwd: string; color: boolean }): string {
  const line = formatProblem(problem, (file) => displayPath(options.cwd, file));
  const style = problem.severity === 'error' ? 'red' : problem.severity === 'warning' ? 'yellow' : 'cyan';
  return line.replace(`: ${problem.severity}: `, `: ${paint(options.color, style, problem.severity)}: `);
}
