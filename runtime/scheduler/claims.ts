import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimsDir } from '../layout.js';

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * Claims a (pipeline, trigger, execution_date) before running it: the claim is a file created with
 * O_EXCL, which exactly one process can create, so two schedulers (or one restarted) never start the
 * same run twice. Returns false when another claimed it first.
 */
export function claimRun(root: string, claim: { pipeline: string; trigger: string; executionDate: Date; by: string }): boolean {
  const dir = join(claimsDir(root), safe(claim.pipeline), safe(claim.trigger));
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(join(dir, claim.executionDate.toISOString().replace(/:/g, '')), `${claim.by}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
