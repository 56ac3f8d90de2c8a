import { isAbsolute, relative, sep } from 'node:path';

/** Whether `path` is `folder` or inside it (both absolute, compared as written). */
export function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
