import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { pipewright, pipewrightAsync } from '../../helpers/cli.ts';
import { pipelineProject } from '../../helpers/pipeline-project.ts';

const CSV = 'id,zone,fare\n1,Bronx,12.5\n2,Queens,x\n3,Brooklyn,8\n4,Harlem,oops\n5,Inwood,3\n';

/** A server on 127.0.0.1 that fails the first `failures` requests with 503, then serves the CSV. */
async function flakyServer(t: import('node:test').TestContext, failures: number) {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    if (request.url !== '/trips.csv') return void response.writeHead(404, 'Not Found').end();
    if (requests <= failures) return void response.writeHead(503, 'Service Unavailable').end();
    response.writeHead(200, { 'content-length': Buffer.byteLength(CSV) }).end(CSV);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

const loader = (options: string) =>
  `import { dataLoader, readCsv } from 'pipewright';\nexport default dataLoader(async (ctx) => readCsv(String(ctx.vars.url), { columns: { id: 'INTEGER', fare: 'DOUBLE' }, ${options} }));\n`;

test('a download that fails with 503 is retried with backoff, and the rows that do not parse are skipped and counted', async (t) => {
  const server = await flakyServer(t, 2);
  const root = pipelineProject(t, { load: { code: loader("badRows: 'skip'") } });
  const run = await pipewrightAsync(['run', 'p', '--var', `url=${server.base}/trips.csv`], { cwd: root });
  assert.equal(run.code, 0, run.stdout);
  assert.equal(server.requests(), 3);
  assert.match(run.stdout, /HTTP 503 Service Unavailable; retry 1 in 1 s/);
  assert.match(run.stdout, /HTTP 503 Service Unavailable; retry 2 in 2 s/);
  assert.match(run.stdout, /2 rows could not be read and were skipped \(badRows: 'skip'\); line 3: .*; line 5: /);
  assert.deepEqual(
    JSON.parse(pipewright(['preview', 'p', 'load', '--json'], { cwd: root }).stdout).preview.map((r: { id: number }) => r.id),
    [1, 3, 5],
  );
});

test('by default a row that does not parse fails the block; a 404 fails at once without retries', async (t) => {
  const server = await flakyServer(t, 0);
  const root = pipelineProject(t, { load: { code: loader('retries: 2') } });
  const bad = await pipewrightAsync(['run', 'p', '--var', `url=${server.base}/trips.csv`], { cwd: root });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /Cannot store the block's output: .*Could not convert string "x"/s);
  const before = server.requests();
  const missing = await pipewrightAsync(['run', 'p', '--var', `url=${server.base}/nothing.csv`], { cwd: root });
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /Cannot download .*\/nothing\.csv: HTTP 404 Not Found/);
  assert.equal(server.requests() - before, 1);
});
