// A local BigQuery server speaking the REST calls @google-cloud/bigquery 8.x makes (see GOOGLE-LOCAL.md
// in the team's notes): datasets, tables, load jobs from gs:// URIs (fetched from the fake GCS) and
// from uploads, query jobs, results, dry runs. Tables live in an in-memory DuckDB, so loads and
// queries work on the real bytes; parquet types map to BigQuery types as BigQuery documents
// (a UTC-adjusted parquet timestamp is TIMESTAMP, a naive one DATETIME). Binds to 127.0.0.1 only.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { multipart } from './fake-gcs.ts';

interface Field {
  name: string;
  type: string;
  mode: string;
}

interface TableInfo {
  fields: Field[];
  timePartitioning?: { type: string; field?: string };
  clustering?: { fields: string[] };
  created: string;
}

interface Job {
  id: string;
  configuration: Record<string, unknown>;
  state: 'DONE' | 'RUNNING';
  error?: { reason: string; message: string };
  statistics: Record<string, unknown>;
  result?: { fields: Field[]; rows: unknown[][] };
}

/** A comment that makes the fake's query job run until it is cancelled. */
export const HOLD_QUERY = '/* fake: hold */';

/** What a test can see and change of the fake. */
export interface FakeBigQuery {
  endpoint: string;
  requests: string[];
  tables: Map<string, TableInfo>;
  datasets: Set<string>;
  /** Permissions to refuse with 403 (bigquery.jobs.create, ...). */
  denied: Set<string>;
  /** Ids of the jobs cancelled through jobs.cancel. A query holding the comment HOLD_QUERY runs until it is cancelled. */
  cancelled: string[];
  /** Runs SQL on the fake's storage (tables are "dataset"."table"). */
  sql(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const TYPE_OF_DUCK: [RegExp, string][] = [
  [/^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT)$/, 'INTEGER'],
  [/^(DOUBLE|FLOAT|REAL)$/, 'FLOAT'],
  [/^DECIMAL/, 'NUMERIC'],
  [/^BOOLEAN$/, 'BOOLEAN'],
  [/^DATE$/, 'DATE'],
  [/^TIMESTAMP WITH TIME ZONE$/, 'TIMESTAMP'],
  [/^TIMESTAMP(_NS|_MS|_S)?$/, 'DATETIME'],
  [/^TIME$/, 'TIME'],
  [/^BLOB$/, 'BYTES'],
];

function bigqueryType(duckType: string): string {
  return TYPE_OF_DUCK.find(([pattern]) => pattern.test(duckType))?.[1] ?? 'STRING';
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A value as BigQuery's REST API gives it (all as strings; TIMESTAMP as int64 microseconds). */
function restValue(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'TIMESTAMP') return String(BigInt((value as Date).getTime()) * 1000n);
  if (type === 'DATE') return (value as Date).toISOString().slice(0, 10);
  if (type === 'DATETIME') return (value as Date).toISOString().slice(0, 19);
  return String(value);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function fail(response: ServerResponse, status: number, reason: string, message: string): void {
  send(response, status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: reason.toUpperCase() } });
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the fake; load jobs read gs:// objects from the fake GCS at `gcsEndpoint`. */
export async function startFakeBigQuery(options: { project?: string; gcsEndpoint?: string } = {}): Promise<FakeBigQuery> {
  const project = options.project ?? 'p';
  const duck: DuckDBConnection = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run("SET TimeZone = 'UTC'");
  const scratch = mkdtempSync(join(tmpdir(), 'fake-bigquery-'));
  const jobs = new Map<string, Job>();
  const server = createServer();
  const fake: FakeBigQuery = {
    endpoint: '',
    requests: [],
    tables: new Map(),
    datasets: new Set(),
    denied: new Set(),
    cancelled: [],
    sql: async (sql) => (await duck.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          rmSync(scratch, { recursive: true, force: true });
          resolve();
        }),
      ),
  };

  const datasetResource = (id: string) => ({
    kind: 'bigquery#dataset',
    id: `${project}:${id}`,
    datasetReference: { projectId: project, datasetId: id },
    location: 'US',
    creationTime: '1609459200000',
    etag: 'd',
  });
  const tableResource = async (dataset: string, table: string) => {
    const info = fake.tables.get(`${dataset}.${table}`)!;
    const rows = (await fake.sql(`SELECT count(*) AS n FROM ${ident(dataset)}.${ident(table)}`))[0].n;
    return {
      kind: 'bigquery#table',
      id: `${project}:${dataset}.${table}`,
      tableReference: { projectId: project, datasetId: dataset, tableId: table },
      schema: { fields: info.fields },
      numRows: String(rows),
      type: 'TABLE',
      creationTime: '1609459200000',
      etag: 't',
      ...(info.timePartitioning ? { timePartitioning: info.timePartitioning } : {}),
      ...(info.clustering ? { clustering: info.clustering } : {}),
    };
  };
  const jobResource = (job: Job) => ({
    kind: 'bigquery#job',
    id: `${project}:US.${job.id}`,
    jobReference: { projectId: project, jobId: job.id, location: 'US' },
    configuration: job.configuration,
    status: { state: job.state, ...(job.error ? { errorResult: job.error, errors: [job.error] } : {}) },
    statistics: job.statistics,
  });

  const duckSql = (sql: string) =>
    sql.replace(/`([^`]+)`/g, (_all, name: string) => {
      const parts = name.split('.');
      return (parts.length === 3 ? parts.slice(1) : parts).map(ident).join('.');
    });

  /** Fetches gs:// objects (with * wildcards) from the fake GCS into scratch files, keeping their paths. */
  async function fetchObjects(uris: string[]): Promise<string[]> {
    const files: string[] = [];
    for (const uri of uris) {
      const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
      if (!match) throw Object.assign(new Error(`Invalid source URI ${uri}`), { reason: 'invalid' });
      const [, bucket, name] = match;
      let names = [name];
      if (name.includes('*')) {
        const prefix = name.slice(0, name.indexOf('*'));
        const pattern = new RegExp(
          `^${name
            .split('*')
            .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        );
        const list = (await (await fetch(`${options.gcsEndpoint}/storage/v1/b/${bucket}/o?prefix=${encodeURIComponent(prefix)}`)).json()) as { items?: { name: string }[] };
        names = (list.items ?? []).map((i) => i.name).filter((n) => pattern.test(n));
        if (names.length === 0) throw Object.assign(new Error(`Not found: URI ${uri}`), { reason: 'notFound' });
      }
      for (const objectName of names) {
        const response = await fetch(`${options.gcsEndpoint}/storage/v1/b/${bucket}/o/${encodeURIComponent(objectName)}?alt=media`);
        if (!response.ok) throw Object.assign(new Error(`Not found: URI gs://${bucket}/${objectName}`), { reason: 'notFound' });
        const file = join(scratch, randomUUID(), bucket, ...objectName.split('/'));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, Buffer.from(await response.arrayBuffer()));
        files.push(file);
      }
    }
    return files;
  }

  async function fieldsOf(source: string): Promise<Field[]> {
    return (await fake.sql(`DESCRIBE SELECT * FROM ${source}`)).map((c) => ({ name: String(c.column_name), type: bigqueryType(String(c.column_type)), mode: 'NULLABLE' }));
  }

  /** A load job into destinationTable (with an optional $YYYYMMDD partition decorator). */
  async function load(config: Record<string, unknown>, files: string[]): Promise<Record<string, unknown>> {
    const destination = config.destinationTable as { datasetId: string; tableId: string };
    const [table, decorator] = destination.tableId.split('$');
    const dataset = destination.datasetId;
    if (!fake.datasets.has(dataset)) throw Object.assign(new Error(`Not found: Dataset ${project}:${dataset}`), { reason: 'notFound' });
    if (config.sourceFormat !== 'PARQUET') throw Object.assign(new Error(`The fake loads PARQUET only, not ${String(config.sourceFormat)}`), { reason: 'invalid' });
    const hive = config.hivePartitioningOptions !== undefined;
    const source = `read_parquet([${files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')}], union_by_name = true, hive_partitioning = ${hive})`;
    const key = `${dataset}.${table}`;
    const qualified = `${ident(dataset)}.${ident(table)}`;
    const rows = Number((await fake.sql(`SELECT count(*) AS n FROM ${source}`))[0].n);
    const exists = fake.tables.has(key);
    const disposition = String(config.writeDisposition ?? 'WRITE_APPEND');
    const partitioning = (config.timePartitioning as TableInfo['timePartitioning']) ?? fake.tables.get(key)?.timePartitioning;
    if (exists && disposition === 'WRITE_EMPTY' && Number((await fake.sql(`SELECT count(*) AS n FROM ${qualified}`))[0].n) > 0) {
      throw Object.assign(new Error(`Already Exists: Table ${project}:${key}`), { reason: 'duplicate' });
    }
    if (decorator) {
      if (!partitioning?.field) throw Object.assign(new Error(`Cannot use a partition decorator on ${key}: it is not partitioned`), { reason: 'invalid' });
      const day = `${decorator.slice(0, 4)}-${decorator.slice(4, 6)}-${decorator.slice(6, 8)}`;
      const outside = Number((await fake.sql(`SELECT count(*) AS n FROM ${source} WHERE CAST(${ident(partitioning.field)} AS DATE) IS DISTINCT FROM DATE '${day}'`))[0].n);
      if (outside > 0) throw Object.assign(new Error(`Some rows belong to different partitions rather than destination partition ${decorator}`), { reason: 'invalid' });
      if (!exists) await duck.run(`CREATE TABLE ${qualified} AS SELECT * FROM ${source} LIMIT 0`);
      if (disposition === 'WRITE_TRUNCATE') await duck.run(`DELETE FROM ${qualified} WHERE CAST(${ident(partitioning.field)} AS DATE) = DATE '${day}'`);
      await duck.run(`INSERT INTO ${qualified} BY NAME SELECT * FROM ${source}`);
    } else if (!exists || disposition === 'WRITE_TRUNCATE') {
      await duck.run(`CREATE OR REPLACE TABLE ${qualified} AS SELECT * FROM ${source}`);
    } else {
      await duck.run(`INSERT INTO ${qualified} BY NAME SELECT * FROM ${source}`);
    }
    fake.tables.set(key, {
      fields: await fieldsOf(qualified),
      ...(partitioning ? { timePartitioning: partitioning } : {}),
      ...(config.clustering ? { clustering: config.clustering as { fields: string[] } } : fake.tables.get(key)?.clustering ? { clustering: fake.tables.get(key)!.clustering } : {}),
      created: fake.tables.get(key)?.created ?? new Date().toISOString(),
    });
    return { load: { inputFiles: String(files.length), outputRows: String(rows), badRecords: '0' } };
  }

  async function query(config: Record<string, unknown>, dryRun: boolean): Promise<{ statistics: Record<string, unknown>; result?: Job['result'] }> {
    const sql = duckSql(String(config.query)).trim().replace(/;\s*$/, '');
    if (dryRun) {
      await duck.run(`EXPLAIN ${sql}`);
      return { statistics: { totalBytesProcessed: '0', query: { statementType: 'SELECT' } } };
    }
    const reader = await duck.runAndReadAll(sql);
    const described = await fake.sql(`DESCRIBE ${sql}`);
    const fields = described.map((c) => ({ name: String(c.column_name), type: bigqueryType(String(c.column_type)), mode: 'NULLABLE' }));
    return { statistics: { totalBytesProcessed: '0', query: { statementType: 'SELECT' } }, result: { fields, rows: reader.getRowsJS() } };
  }

  async function runJob(body: Record<string, unknown>, media?: Buffer): Promise<Job> {
    const reference = (body.jobReference ?? {}) as { jobId?: string };
    const configuration = body.configuration as Record<string, unknown>;
    const job: Job = { id: reference.jobId ?? randomUUID(), configuration, state: 'DONE', statistics: { creationTime: String(Date.now()), startTime: String(Date.now()) } };
    try {
      if (configuration.load) {
        const loadConfig = configuration.load as Record<string, unknown>;
        let files: string[];
        if (media) {
          const file = join(scratch, `${job.id}.parquet`);
          writeFileSync(file, media);
          files = [file];
        } else {
          files = await fetchObjects(loadConfig.sourceUris as string[]);
        }
        Object.assign(job.statistics, await load(loadConfig, files));
        configuration.jobType = 'LOAD';
      } else if (configuration.query && String((configuration.query as { query?: string }).query).includes(HOLD_QUERY)) {
        // A query that runs on, as a big one does in BigQuery: RUNNING until jobs.cancel.
        job.state = 'RUNNING';
        configuration.jobType = 'QUERY';
      } else if (configuration.query) {
        const ran = await query(configuration.query as Record<string, unknown>, configuration.dryRun === true);
        Object.assign(job.statistics, ran.statistics);
        job.result = ran.result;
        configuration.jobType = 'QUERY';
      }
    } catch (error) {
      job.error = { reason: (error as { reason?: string }).reason ?? 'invalidQuery', message: (error as Error).message };
    }
    if (job.state === 'DONE') job.statistics.endTime = String(Date.now());
    jobs.set(job.id, job);
    return job;
  }

  function results(job: Job, url: URL) {
    const all = job.result?.rows ?? [];
    const start = Number(url.searchParams.get('pageToken') ?? url.searchParams.get('startIndex') ?? 0);
    const size = Number(url.searchParams.get('maxResults') ?? 5000);
    const page = all.slice(start, start + size);
    const fields = job.result?.fields ?? [];
    return {
      jobReference: { projectId: project, jobId: job.id, location: 'US' },
      jobComplete: true,
      schema: { fields },
      totalRows: String(all.length),
      rows: page.map((row) => ({ f: row.map((value, i) => ({ v: restValue(value, fields[i].type) })) })),
      ...(start + size < all.length ? { pageToken: String(start + size) } : {}),
      totalBytesProcessed: '0',
      cacheHit: false,
    };
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void handle(request, response).catch((error: Error) => fail(response, 500, 'backendError', error.message));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', fake.endpoint);
    fake.requests.push(`${request.method} ${url.pathname}`);
    const path = url.pathname.replace(/^\/bigquery\/v2/, '');
    let match: RegExpExecArray | null;
    if (/^\/projects\/([^/]+)\/datasets$/.test(path) && request.method === 'POST') {
      const body = JSON.parse((await readBody(request)).toString('utf8')) as { datasetReference: { datasetId: string } };
      const id = body.datasetReference.datasetId;
      if (fake.datasets.has(id)) return fail(response, 409, 'duplicate', `Already Exists: Dataset ${project}:${id}`);
      fake.datasets.add(id);
      await duck.run(`CREATE SCHEMA ${ident(id)}`);
      return send(response, 200, datasetResource(id));
    }
    if ((match = /^\/projects\/([^/]+)\/datasets\/([^/]+)$/.exec(path)) && request.method === 'GET') {
      return fake.datasets.has(match[2]) ? send(response, 200, datasetResource(match[2])) : fail(response, 404, 'notFound', `Not found: Dataset ${project}:${match[2]}`);
    }
    if ((match = /^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(path))) {
      const key = `${match[2]}.${match[3]}`;
      if (!fake.tables.has(key)) return fail(response, 404, 'notFound', `Not found: Table ${project}:${key}`);
      if (request.method === 'DELETE') {
        fake.tables.delete(key);
        await duck.run(`DROP TABLE ${ident(match[2])}.${ident(match[3])}`);
        response.writeHead(204).end();
        return;
      }
      return send(response, 200, await tableResource(match[2], match[3]));
    }
    if (/^\/projects\/([^/]+)\/jobs$/.test(path) || /^\/upload\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.test(url.pathname)) {
      if (fake.denied.has('bigquery.jobs.create')) {
        return fail(response, 403, 'accessDenied', `Access Denied: Project ${project}: User does not have bigquery.jobs.create permission in project ${project}.`);
      }
      const raw = await readBody(request);
      let body: Record<string, unknown>;
      let media: Buffer | undefined;
      if (url.pathname.startsWith('/upload/')) {
        const parsed = multipart(raw, request.headers['content-type'] ?? '');
        body = parsed.metadata;
        media = parsed.media;
      } else {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      }
      const job = await runJob(body, media);
      if ((body.configuration as { dryRun?: boolean }).dryRun && job.error) return fail(response, 400, 'invalidQuery', job.error.message);
      return send(response, 200, jobResource(job));
    }
    if ((match = /^\/projects\/([^/]+)\/jobs\/([^/]+)$/.exec(path)) && request.method === 'GET') {
      const job = jobs.get(match[2]);
      return job ? send(response, 200, jobResource(job)) : fail(response, 404, 'notFound', `Not found: Job ${project}:${match[2]}`);
    }
    if ((match = /^\/projects\/([^/]+)\/jobs\/([^/]+)\/cancel$/.exec(path)) && request.method === 'POST') {
      const job = jobs.get(match[2]);
      if (!job) return fail(response, 404, 'notFound', `Not found: Job ${project}:${match[2]}`);
      fake.cancelled.push(job.id);
      if (job.state === 'RUNNING') Object.assign(job, { state: 'DONE', error: { reason: 'stopped', message: 'Job execution was cancelled: User requested cancellation' } });
      return send(response, 200, { kind: 'bigquery#jobCancelResponse', job: jobResource(job) });
    }
    if ((match = /^\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(path)) && request.method === 'GET') {
      const job = jobs.get(match[2]);
      if (!job) return fail(response, 404, 'notFound', `Not found: Job ${project}:${match[2]}`);
      if (job.state === 'RUNNING') {
        // As BigQuery answers a job still running: not complete yet, after a short wait.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return send(response, 200, { kind: 'bigquery#getQueryResultsResponse', jobReference: { projectId: project, jobId: job.id, location: 'US' }, jobComplete: false });
      }
      if (job.error) return fail(response, 400, job.error.reason, job.error.message);
      return send(response, 200, { kind: 'bigquery#getQueryResultsResponse', ...results(job, url) });
    }
    if (/^\/projects\/([^/]+)\/queries$/.test(path) && request.method === 'POST') {
      const body = JSON.parse((await readBody(request)).toString('utf8')) as Record<string, unknown>;
      const job = await runJob({ configuration: { query: { query: body.query } } });
      if (job.error) return fail(response, 400, job.error.reason, job.error.message);
      return send(response, 200, { kind: 'bigquery#queryResponse', ...results(job, url) });
    }
    fail(response, 404, 'notFound', `Unknown route ${request.method} ${url.pathname}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
