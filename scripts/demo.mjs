// `npm run demo`: the example project's api_to_postgres, end to end, offline: a synthetic NYC
// yellow-taxi month served over local HTTP, loaded, cleaned by SQL, and written to a real PostgreSQL
// that Pipewright starts itself (the embedded profile). `npm run demo -- --rows 1369765` for the full month.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'bin', 'pipewright.js');
const at = process.argv.indexOf('--rows');
const rows = at > 0 ? process.argv[at + 1] : '200000';
// A copy outside the repository: runs leave .pipewright/ behind, and PostgreSQL (which runs as the OS
// user postgres when we are root) must be able to reach it.
const work = join(tmpdir(), 'pipewright-demo');
const project = join(work, 'zoomcamp');

function pipewright(title, args, cwd = project) {
  console.log(`\n$ pipewright ${args.join(' ')}    # ${title}`);
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', cwd });
  if (result.status !== 0) {
    console.error(`demo: "pipewright ${args.join(' ')}" exited with ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
chmodSync(work, 0o755);
cpSync(join(root, 'examples', 'zoomcamp'), project, { recursive: true });
const data = join(work, 'yellow_tripdata_2021-01.csv.gz');
pipewright(`a synthetic taxi month of ${rows} rows`, ['sample', 'taxi', '--rows', rows, '--out', data], work);

const server = createServer((request, response) => {
  if (request.url !== '/yellow_tripdata_2021-01.csv.gz') return void response.writeHead(404).end();
  response.writeHead(200, { 'content-length': statSync(data).size });
  createReadStream(data).pipe(response);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/yellow_tripdata_2021-01.csv.gz`;
try {
  pipewright('check the project', ['validate']);
  pipewright('its blocks in run order', ['graph', 'api_to_postgres']);
  // The CLI runs in a child process, so this one keeps serving the file meanwhile.
  await new Promise((resolve, reject) => {
    console.log(`\n$ pipewright run api_to_postgres --var taxi_url=${url}    # load → transform → PostgreSQL`);
    const child = spawn(process.execPath, [cli, 'run', 'api_to_postgres', '--var', `taxi_url=${url}`], { stdio: 'inherit', cwd: project });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pipewright run exited with ${code}`))));
  });
  pipewright('the cleaned trips', ['preview', 'api_to_postgres', 'transform_taxi_data', '--rows', '5']);
  pipewright('the run history', ['runs']);
  console.log(`\nThe project is in ${project}; try more pipewright commands there.`);
} finally {
  server.close();
}
