// A local Cloud Storage server speaking the JSON API that @google-cloud/storage 7.x uses (see
// GOOGLE-LOCAL.md in the team's notes): buckets, simple (multipart) and resumable uploads in one or
// several chunks, listing with prefix/delimiter/pages, downloads, deletes. It stores the real bytes,
// so the official client runs unchanged against it. Binds to 127.0.0.1 only.
import { CRC32C } from '@google-cloud/storage';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredObject {
  bucket: string;
  name: string;
  data: Buffer;
  contentType: string;
  metadata?: Record<string, string>;
  generation: number;
  created: string;
}

interface Upload {
  bucket: string;
  name: string;
  contentType: string;
  metadata?: Record<string, string>;
  parts: Buffer[];
  received: number;
}

/** What a test can see and change of the fake. */
export interface FakeGcs {
  /** The apiEndpoint to give the client (http://127.0.0.1:<port>). */
  endpoint: string;
  buckets: Set<string>;
  objects: Map<string, StoredObject>;
  /** Every request as "METHOD path". */
  requests: string[];
  /** Permissions to refuse with 403, as storage.objects.list, storage.objects.create, ... */
  denied: Set<string>;
  /** Objects per list page. */
  pageSize: number;
  close(): Promise<void>;
}

function objectKey(bucket: string, name: string): string {
  return `${bucket}/${name}`;
}

function resource(endpoint: string, object: StoredObject) {
  const crc = new CRC32C();
  crc.update(object.data);
  return {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `${endpoint}/storage/v1/b/${object.bucket}/o/${encodeURIComponent(object.name)}`,
    mediaLink: `${endpoint}/storage/v1/b/${object.bucket}/o/${encodeURIComponent(object.name)}?alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation: String(object.generation),
    metageneration: '1',
    contentType: object.contentType,
    storageClass: 'STANDARD',
    size: String(object.data.length),
    md5Hash: createHash('md5').update(object.data).digest('base64'),
    crc32c: crc.toString(),
    etag: `e${object.generation}`,
    timeCreated: object.created,
    updated: object.created,
    ...(object.metadata ? { metadata: object.metadata } : {}),
  };
}

function bucketResource(name: string) {
  return {
    kind: 'storage#bucket',
    id: name,
    name,
    selfLink: `/storage/v1/b/${name}`,
    projectNumber: '1',
    location: 'US',
    storageClass: 'STANDARD',
    timeCreated: '2021-01-01T00:00:00.000Z',
    updated: '2021-01-01T00:00:00.000Z',
    metageneration: '1',
    etag: 'b1',
  };
}

function send(response: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), ...headers });
  response.end(text);
}

function error(response: ServerResponse, status: number, reason: string, message: string): void {
  send(response, status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }] } });
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The two parts of a multipart/related upload: the JSON metadata and the bytes. */
export function multipart(data: Buffer, contentType: string): { metadata: Record<string, unknown>; media: Buffer; mediaType: string } {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!boundary) throw new Error('multipart upload without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let start = data.indexOf(delimiter);
  while (start >= 0) {
    const next = data.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    parts.push(data.subarray(start + delimiter.length, next));
    start = next;
  }
  const parsed = parts.map((part) => {
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    let content = part.subarray(headerEnd + 4);
    if (content.subarray(-2).toString() === '\r\n') content = content.subarray(0, -2);
    return { type: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? 'application/octet-stream', content };
  });
  return { metadata: JSON.parse(parsed[0].content.toString('utf8')) as Record<string, unknown>, media: parsed[1].content, mediaType: parsed[1].type };
}

const DENIED_MESSAGE = (permission: string, bucket: string) =>
  `pipewright-test@p.iam.gserviceaccount.com does not have ${permission} access to the Google Cloud Storage bucket. Permission '${permission}' denied on resource (or it may not exist). (bucket ${bucket})`;

/** Starts the fake on 127.0.0.1 with the given buckets. */
export async function startFakeGcs(options: { buckets?: string[] } = {}): Promise<FakeGcs> {
  const uploads = new Map<string, Upload>();
  let generation = 1;
  const server: Server = createServer();
  const fake: FakeGcs = {
    endpoint: '',
    buckets: new Set(options.buckets ?? []),
    objects: new Map(),
    requests: [],
    denied: new Set(),
    pageSize: 1000,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const store = (upload: Omit<Upload, 'parts' | 'received'>, data: Buffer): StoredObject => {
    const object: StoredObject = { ...upload, data, generation: generation++, created: new Date().toISOString() };
    fake.objects.set(objectKey(object.bucket, object.name), object);
    return object;
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void handle(request, response).catch((failure: Error) => error(response, 500, 'backendError', failure.message));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', fake.endpoint);
    const path = url.pathname.replace(/^\/storage\/v1/, '');
    fake.requests.push(`${request.method} ${url.pathname}`);
    const deny = (permission: string, bucket: string): boolean => {
      if (!fake.denied.has(permission)) return false;
      error(response, 403, 'forbidden', DENIED_MESSAGE(permission, bucket));
      return true;
    };
    let match: RegExpExecArray | null;

    if (request.method === 'POST' && path === '/b') {
      const { name } = JSON.parse((await body(request)).toString('utf8')) as { name: string };
      if (fake.buckets.has(name)) return error(response, 409, 'conflict', `The bucket ${name} already exists`);
      fake.buckets.add(name);
      return send(response, 200, bucketResource(name));
    }
    if (request.method === 'GET' && path === '/b') {
      if (deny('storage.buckets.list', '*')) return;
      return send(response, 200, { kind: 'storage#buckets', items: [...fake.buckets].map(bucketResource) });
    }
    if ((match = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname))) {
      const bucket = decodeURIComponent(match[1]);
      if (!fake.buckets.has(bucket)) return error(response, 404, 'notFound', `The specified bucket does not exist: ${bucket}`);
      if (deny('storage.objects.create', bucket)) return;
      const uploadType = url.searchParams.get('uploadType');
      if (request.method === 'POST' && uploadType === 'multipart') {
        const parsed = multipart(await body(request), request.headers['content-type'] ?? '');
        const name = url.searchParams.get('name') ?? String(parsed.metadata.name);
        const object = store(
          { bucket, name, contentType: String(parsed.metadata.contentType ?? parsed.mediaType), metadata: parsed.metadata.metadata as Record<string, string> | undefined },
          parsed.media,
        );
        return send(response, 200, resource(fake.endpoint, object));
      }
      if (request.method === 'POST' && uploadType === 'resumable') {
        const metadata = JSON.parse((await body(request)).toString('utf8') || '{}') as Record<string, unknown>;
        const id = randomUUID();
        const name = url.searchParams.get('name') ?? String(metadata.name);
        uploads.set(id, {
          bucket,
          name,
          contentType: String(request.headers['x-upload-content-type'] ?? metadata.contentType ?? 'application/octet-stream'),
          metadata: metadata.metadata as Record<string, string> | undefined,
          parts: [],
          received: 0,
        });
        return send(response, 200, undefined, { location: `${fake.endpoint}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&upload_id=${id}` });
      }
      if (request.method === 'PUT' && uploadType === 'resumable') {
        const id = url.searchParams.get('upload_id') ?? '';
        const upload = uploads.get(id);
        if (!upload) return error(response, 404, 'notFound', `No upload session ${id}`);
        const data = await body(request);
        // "bytes 0-*/*": the whole body in one request; "bytes a-b/*": a chunk, more to come;
        // "bytes a-b/N": the last chunk; "bytes */*": a status query.
        const range = /bytes (\*|\d+)(?:-(\*|\d+))?\/(\*|\d+)/.exec(String(request.headers['content-range'] ?? 'bytes 0-*/*'));
        if (data.length > 0) {
          upload.parts.push(data);
          upload.received += data.length;
        }
        const total = range?.[3] ?? '*';
        const done = total !== '*' ? upload.received >= Number(total) : range?.[2] === '*';
        if (!done) return send(response, 308, undefined, upload.received > 0 ? { range: `bytes=0-${upload.received - 1}` } : {});
        uploads.delete(id);
        const object = store(upload, Buffer.concat(upload.parts));
        return send(response, 200, resource(fake.endpoint, object));
      }
      return error(response, 400, 'invalid', `Unsupported upload ${request.method} ${uploadType}`);
    }
    if ((match = /^\/b\/([^/]+)$/.exec(path)) && request.method === 'GET') {
      const bucket = decodeURIComponent(match[1]);
      return fake.buckets.has(bucket) ? send(response, 200, bucketResource(bucket)) : error(response, 404, 'notFound', `The specified bucket does not exist: ${bucket}`);
    }
    if ((match = /^\/b\/([^/]+)\/o$/.exec(path)) && request.method === 'GET') {
      const bucket = decodeURIComponent(match[1]);
      if (!fake.buckets.has(bucket)) return error(response, 404, 'notFound', `The specified bucket does not exist: ${bucket}`);
      if (deny('storage.objects.list', bucket)) return;
      const prefix = url.searchParams.get('prefix') ?? '';
      const delimiter = url.searchParams.get('delimiter');
      const names = [...fake.objects.values()].filter((o) => o.bucket === bucket && o.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1));
      const prefixes = new Set<string>();
      const items: StoredObject[] = [];
      for (const object of names) {
        const rest = object.name.slice(prefix.length);
        const cut = delimiter ? rest.indexOf(delimiter) : -1;
        if (cut >= 0) prefixes.add(prefix + rest.slice(0, cut + delimiter!.length));
        else items.push(object);
      }
      const start = Number(Buffer.from(url.searchParams.get('pageToken') ?? '', 'base64').toString() || 0);
      const size = Math.min(fake.pageSize, Number(url.searchParams.get('maxResults') ?? fake.pageSize));
      const page = items.slice(start, start + size);
      const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
      return send(response, 200, {
        kind: 'storage#objects',
        ...(page.length > 0 ? { items: page.map((o) => resource(fake.endpoint, o)) } : {}),
        ...(prefixes.size > 0 ? { prefixes: [...prefixes] } : {}),
        ...(next ? { nextPageToken: next } : {}),
      });
    }
    if ((match = /^\/b\/([^/]+)\/o\/(.+)$/.exec(path))) {
      const bucket = decodeURIComponent(match[1]);
      const name = decodeURIComponent(match[2]);
      const object = fake.objects.get(objectKey(bucket, name));
      if (request.method === 'DELETE') {
        if (deny('storage.objects.delete', bucket)) return;
        if (!object) return error(response, 404, 'notFound', `No such object: ${bucket}/${name}`);
        fake.objects.delete(objectKey(bucket, name));
        return send(response, 204);
      }
      if (deny('storage.objects.get', bucket)) return;
      if (!object) return error(response, 404, 'notFound', `No such object: ${bucket}/${name}`);
      if (url.searchParams.get('alt') !== 'media') return send(response, 200, resource(fake.endpoint, object));
      const range = /bytes=(\d+)-(\d*)/.exec(String(request.headers.range ?? ''));
      const info = resource(fake.endpoint, object);
      const headers = { 'content-type': object.contentType, 'x-goog-stored-content-encoding': 'identity', 'x-goog-hash': `crc32c=${info.crc32c},md5=${info.md5Hash}` };
      if (range) {
        const end = range[2] ? Number(range[2]) : object.data.length - 1;
        response.writeHead(206, { 'content-type': object.contentType, 'content-range': `bytes ${range[1]}-${end}/${object.data.length}` });
        return void response.end(object.data.subarray(Number(range[1]), end + 1));
      }
      response.writeHead(200, headers);
      return void response.end(object.data);
    }
    error(response, 404, 'notFound', `Unknown route ${request.method} ${url.pathname}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
