import { resolve } from 'node:path';
import { writeTaxiCsv } from '../sample/write-taxi.js';
import type { Verb } from './command.js';

function positiveInteger(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} must be a whole number, not "${String(value)}"`);
  return number;
}

/** `pipewright sample taxi`: a deterministic synthetic NYC yellow-taxi month, for demos and tests. */
export const sampleVerb: Verb = {
  name: 'sample',
  summary: "Write a synthetic NYC yellow-taxi month (the real file's 18 columns and quirks) as CSV or CSV.gz.",
  usage: 'pipewright sample taxi --out FILE.csv[.gz]|- [--rows N] [--seed S] [--year Y] [--month M]',
  details: 'The same options always give the same rows. The real January 2021 file has 1369765 rows.',
  flags: {
    out: { type: 'string', value: 'FILE', description: 'Where to write; .gz compresses; - writes CSV to stdout' },
    rows: { type: 'string', value: 'N', description: 'Number of rows (default 100000)' },
    seed: { type: 'string', value: 'S', description: 'Random seed (default 42)' },
    year: { type: 'string', value: 'Y', description: 'Year (default 2021)' },
    month: { type: 'string', value: 'M', description: 'Month, 1-12 (default 1)' },
  },
  async run(invocation) {
    if (invocation.positionals[0] !== 'taxi') {
      invocation.err('error: Name the data set: pipewright sample taxi --out FILE (taxi is the one there is)');
      return 2;
    }
    const out = invocation.flags.out as string | undefined;
    if (!out) {
      invocation.err('error: Say where to write: --out FILE.csv, FILE.csv.gz or -');
      return 2;
    }
    try {
      const month = positiveInteger(invocation.flags.month, 1, 'month');
      if (month < 1 || month > 12) throw new Error(`--month must be 1 to 12, not ${month}`);
      const options = {
        rows: positiveInteger(invocation.flags.rows, 100000, 'rows'),
        seed: positiveInteger(invocation.flags.seed, 42, 'seed'),
        year: positiveInteger(invocation.flags.year, 2021, 'year'),
        month,
      };
      await writeTaxiCsv(out === '-' ? process.stdout : resolve(invocation.cwd, out), options);
    } catch (error) {
      invocation.err(`error: ${(error as Error).message}`);
      return 1;
    }
    return 0;
  },
};
