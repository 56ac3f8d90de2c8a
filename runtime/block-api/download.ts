import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { backoffSeconds, sleep } from '../abortable-sleep.js';

/** How a download reports and retries. */
export interface DownloadOptions {
  signal: AbortSignal;
  /** Attempts after the first on a transient failure (network error, HTTP 429 or 5xx). */
  retries?: number;
  /** Seconds before the first retry; doubled each time. */
  retryDelaySeconds?: number;
  onProgress?: (bytes: number, total?: number) => void;
  onRetry?: (attempt: number, reason: string, delaySeconds: number) => void;
}

class HttpError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

async function attempt(url: string, file: string, options: DownloadOptions): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new HttpError(`Cannot reach ${url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`, true);
  }
  if (!response.ok || !response.body) {
    const transient = response.status === 429 || response.status >= 500;
    throw new HttpError(`Cannot download ${url}: HTTP ${response.status} ${response.statusText}`.trim(), transient);
  }
  const total = Number(response.headers.get('content-length')) || undefined;
  let bytes = 0;
  let reported = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      // Progress every 4 MB is plenty for a progress line and costs nothing.
      if (bytes - reported >= 4 * 1024 * 1024) {
        reported = bytes;
        options.onProgress?.(bytes, total);
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), count, createWriteStream(file), { signal: options.signal });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new HttpError(`The download of ${url} broke off after ${bytes} bytes: ${(error as Error).message}`, true);
  }
  if (total !== undefined && bytes !== total) throw new HttpError(`The download of ${url} ended after ${bytes} of ${total} bytes`, true);
  options.onProgress?.(bytes, total);
}

/**
 * Streams a URL to a file in `dir`, keeping its name (and so its .gz) for DuckDB. Transient failures
 * (network errors, HTTP 429 and 5xx, a body cut short) are retried with exponential backoff; other
 * HTTP errors fail at once. A failed download leaves no partial file.
 */
export async function download(url: string, dir: string, options: DownloadOptions): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, basename(new URL(url).pathname) || 'download.csv');
  const retries = options.retries ?? 3;
  for (let tried = 0; ; tried++) {
    try {
      await attempt(url, file, options);
      return file;
    } catch (error) {
      rmSync(file, { force: true });
      if (!(error instanceof HttpError) || !error.transient || tried >= retries) throw error;
      const delay = backoffSeconds(tried + 1, { first: options.retryDelaySeconds ?? 1 });
      options.onRetry?.(tried + 1, error.message, delay);
      await sleep(delay, options.signal);
      if (options.signal.aborted) throw error;
    }
  }
}
