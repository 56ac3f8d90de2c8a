// `npm run demo`: what Pipewright can do today with the example project (examples/zoomcamp).
// Later issues make this run the pipeline end to end on the embedded services.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'bin', 'pipewright.js');

function step(title, args) {
  console.log(`\n$ pipewright ${args.join(' ')}    # ${title}`);
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.error(`demo: "pipewright ${args.join(' ')}" exited with ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

step('check the project', ['validate', 'examples/zoomcamp']);
for (const pipeline of ['api_to_postgres', 'api_to_gcs', 'gcs_to_bigquery']) {
  step(`blocks of ${pipeline} in run order`, ['graph', pipeline, '--project', 'examples/zoomcamp']);
}
step('the first rows of a synthetic taxi month', ['sample', 'taxi', '--rows', '3', '--out', '-']);
