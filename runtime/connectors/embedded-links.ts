import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Re-creates the library links of a PostgreSQL binaries folder (`native/pg-symlinks.json`: links as
 * `{source, target}` paths inside `dir`) that are missing. Packages and VSIX files cannot hold
 * symbolic links: npm's install script makes them, VS Code installs a VSIX without running any.
 */
export function restoreLinks(dir: string): void {
  const listFile = join(dir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const link = join(dir, target);
    if (existsSync(link)) continue;
    try {
      symlinkSync(relative(dirname(link), join(dir, source)), link);
    } catch (error) {
      // A folder that cannot be written: PostgreSQL then says which library it cannot load.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return;
    }
  }
}
