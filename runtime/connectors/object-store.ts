import type { Storage } from '@google-cloud/storage';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { GoogleSettings } from './google-settings.js';

/** An object in a bucket. */
export interface ObjectInfo {
  name: string;
  size: number;
}

/** A place that holds objects by bucket and name: Cloud Storage, or a local folder that behaves like it. */
export interface ObjectStore {
  /** How to show an object to a user: gs://bucket/name, or the local file. */
  describe(bucket: string, name?: string): string;
  list(bucket: string, prefix: string): Promise<ObjectInfo[]>;
  /** Stores a local file (which the store may move away) as an object, replacing any object of that name. */
  put(file: string, bucket: string, name: string): Promise<void>;
  /** A local file with the object's bytes: the object itself in a local bucket, else a download into `dir`. */
  fetch(bucket: string, name: string, dir: string): Promise<string>;
  delete(bucket: string, name: string): Promise<void>;
}

const RESUMABLE_FROM_BYTES = 8 * 1024 * 1024;

/** Bucket names as Cloud Storage accepts them, so a project moves from the local bucket to GCS unchanged. */
function checkBucket(bucket: string): void {
  if (!/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new Error(`"${bucket}" is not a valid bucket name: use 3-63 lowercase letters, digits, dashes, underscores and dots, starting and ending with a letter or digit`);
  }
}

function checkName(name: string): void {
  if (name === '' || name.startsWith('/') || name.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`"${name}" is not a valid object name: use a relative path such as dir/file.parquet`);
  }
}

/** A folder per bucket under `.pipewright/buckets/`: the embedded profile's stand-in for Cloud Storage. */
export class LocalBucketStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private path(bucket: string, name = ''): string {
    checkBucket(bucket);
    if (name) checkName(name);
    return join(this.root, bucket, ...name.split('/'));
  }

  describe(bucket: string, name?: string): string {
    return this.path(bucket, name);
  }

  async list(bucket: string, prefix: string): Promise<ObjectInfo[]> {
    const top = this.path(bucket);
    const found: ObjectInfo[] = [];
    const walk = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (!entry.name.startsWith('.pipewright-upload-')) {
          const name = relative(top, full).split(sep).join('/');
          if (name.startsWith(prefix)) found.push({ name, size: statSync(full).size });
        }
      }
    };
    walk(top);
    return found.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async put(file: string, bucket: string, name: string): Promise<void> {
    const target = this.path(bucket, name);
    mkdirSync(dirname(target), { recursive: true });
    // Written beside the target and renamed over it, so a reader never sees half an object.
    const temporary = join(dirname(target), `.pipewright-upload-${process.pid}-${Date.now()}`);
    try {
      renameSync(file, temporary);
    } catch {
      copyFileSync(file, temporary);
    }
    renameSync(temporary, target);
  }

  async fetch(bucket: string, name: string): Promise<string> {
    const path = this.path(bucket, name);
    if (!existsSync(path)) throw Object.assign(new Error(`No object ${name} in the local bucket ${bucket} (${path})`), { code: 404 });
    return path;
  }

  async delete(bucket: string, name: string): Promise<void> {
    rmSync(this.path(bucket, name), { force: true });
  }
}

/** Cloud Storage through @google-cloud/storage. */
export class GcsStore implements ObjectStore {
  private client: Promise<Storage> | undefined;

  constructor(private readonly settings: GoogleSettings) {}

  /** The client, built from the profile: key, key file or application default credentials; apiEndpoint for local servers. */
  storage(): Promise<Storage> {
    this.client ??= import('@google-cloud/storage').then(({ Storage }) => {
      const s = this.settings;
      return new Storage({
        ...(s.projectId ? { projectId: s.projectId } : {}),
        ...(s.credentials ? { credentials: s.credentials as { client_email: string; private_key: string } } : {}),
        ...(s.keyFilename ? { keyFilename: s.keyFilename } : {}),
        ...(s.storageEndpoint ? { apiEndpoint: s.storageEndpoint } : {}),
        retryOptions: { autoRetry: true, maxRetries: 3 },
      });
    });
    return this.client;
  }

  describe(bucket: string, name?: string): string {
    return `gs://${bucket}/${name ?? ''}`;
  }

  async list(bucket: string, prefix: string): Promise<ObjectInfo[]> {
    const [files] = await (await this.storage()).bucket(bucket).getFiles({ prefix });
    return files.map((file) => ({ name: file.name, size: Number(file.metadata.size ?? 0) }));
  }

  async put(file: string, bucket: string, name: string): Promise<void> {
    checkName(name);
    const size = statSync(file).size;
    await (await this.storage()).bucket(bucket).upload(file, {
      destination: name,
      resumable: size >= RESUMABLE_FROM_BYTES,
      ...(size >= RESUMABLE_FROM_BYTES ? { chunkSize: RESUMABLE_FROM_BYTES } : {}),
      metadata: { contentType: name.endsWith('.parquet') ? 'application/vnd.apache.parquet' : 'application/octet-stream' },
    });
  }

  async fetch(bucket: string, name: string, dir: string): Promise<string> {
    checkName(name);
    const destination = join(dir, bucket, ...name.split('/'));
    mkdirSync(dirname(destination), { recursive: true });
    await (await this.storage()).bucket(bucket).file(name).download({ destination });
    return destination;
  }

  async delete(bucket: string, name: string): Promise<void> {
    await (await this.storage()).bucket(bucket).file(name).delete({ ignoreNotFound: true });
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}
