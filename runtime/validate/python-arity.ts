import type { Problem, SourceRange } from '../problem.js';
import type { Block } from '../project/model.js';

/** The text between a '(' at `open` and its matching ')', or undefined when it is not closed. */
function enclosed(text: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if ('([{'.includes(text[i])) depth++;
    else if (')]}'.includes(text[i]) && --depth === 0) return text.slice(open + 1, i);
  }
  return undefined;
}

/** A parameter list split at its top-level commas (annotations such as Dict[str, int] stay whole). */
function parameters(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    const c = list[i];
    if (c !== undefined && '([{'.includes(c)) depth++;
    else if (c !== undefined && ')]}'.includes(c)) depth--;
    else if (c === undefined || (c === ',' && depth === 0)) {
      const part = list
        .slice(start, i)
        .replace(/#[^\n]*/g, '')
        .trim();
      if (part) parts.push(part);
      start = i + 1;
    }
  }
  return parts;
}

/**
 * Mage's check of a Python block's function against its upstream blocks: the positional parameters
 * without defaults (not `*args`, `**kwargs` or those after a bare `*`) must be as many as the
 * upstream blocks, unless it takes `*args`. The runner applies the same rule, with the same message.
 */
export function checkPythonArity(file: string, text: string, block: Block, where: { metadata: string; rangeAt: (offset: number, length: number) => SourceRange }): Problem[] {
  const decorated = new RegExp(`^@${block.type}\\b[^\\n]*\\n(?:\\s*@[^\\n]*\\n)*\\s*(?:async\\s+)?def\\s+(\\w+)\\s*\\(`, 'm').exec(text);
  if (!decorated) return [];
  const list = enclosed(text, decorated.index + decorated[0].length - 1);
  if (list === undefined) return [];
  const params = parameters(list);
  // *args takes any number of inputs.
  if (params.some((p) => /^\*\w/.test(p))) return [];
  const positional: string[] = [];
  for (const p of params) {
    if (p === '/') continue;
    // A bare * or **kwargs: what follows is keyword-only.
    if (p.startsWith('*')) break;
    if (!p.includes('=')) positional.push(p);
  }
  const count = block.upstream.length;
  if (positional.length === count) return [];
  const name = decorated[1];
  const start = decorated.index + decorated[0].lastIndexOf(name);
  const message =
    positional.length > count
      ? `Block ${block.uuid} may be missing upstream dependencies. It expected to have ${positional.length} arguments, but only received ${count}. Confirm that the @${block.type} method declaration has the correct number of arguments.`
      : `Block ${block.uuid} has too many input arguments. It expected to have ${positional.length} arguments, but received ${count}. Confirm that the @${block.type} method declaration has the correct number of arguments.`;
  return [
    {
      code: 'python-arity',
      severity: 'error',
      message: `${message} (${count === 0 ? 'no upstream blocks' : `upstream: ${block.upstream.join(', ')}`} in ${where.metadata}; add *args to take any number)`,
      range: where.rangeAt(start, name.length),
    },
  ];
}
