import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pipelineFileOf } from '../../../runtime/project/pipeline-files.ts';

test("pipelineFileOf knows a pipeline's metadata.yaml and triggers.yaml, of the project when it is given", () => {
  const cases: [string | undefined, string, unknown][] = [
    ['/p', '/p/pipelines/taxi/metadata.yaml', { pipeline: 'taxi', kind: 'metadata' }],
    ['/p', '/p/pipelines/taxi/triggers.yaml', { pipeline: 'taxi', kind: 'triggers' }],
    [undefined, '/any/pipelines/taxi/metadata.yaml', { pipeline: 'taxi', kind: 'metadata' }],
    ['/p', '/p/metadata.yaml', undefined],
    ['/p', '/p/pipelines/taxi/io_config.yaml', undefined],
    ['/p', '/p/vendor/pipelines/taxi/metadata.yaml', undefined],
    ['/p', '/p/pipelines/metadata.yaml', undefined],
    [undefined, '/p/data_loaders/pipelines/x/triggers.yaml', { pipeline: 'x', kind: 'triggers' }],
  ];
  for (const [root, file, expected] of cases) assert.deepEqual(pipelineFileOf(root, file), expected, `${root} ${file}`);
});
