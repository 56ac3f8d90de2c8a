import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { generateTaxiCsv, type TaxiOptions } from './taxi.js';

/** Streams a synthetic taxi month to a file (gzipped when it ends in .gz) or to a stream. */
export async function writeTaxiCsv(target: string | Writable, options: TaxiOptions): Promise<void> {
  const source = Readable.from(generateTaxiCsv(options), { objectMode: false });
  if (typeof target !== 'string') {
    await pipeline(source, target, { end: false });
    return;
  }
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.partial`;
  try {
    if (target.endsWith('.gz')) await pipeline(source, createGzip({ level: 6 }), createWriteStream(temp));
    else await pipeline(source, createWriteStream(temp));
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new Error(`Cannot write ${target}`, { cause: error });
  }
}
