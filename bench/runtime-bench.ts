import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One row of the benchmark table. */
export interface BenchRow {
  what: string;
  value: number;
  unit: 'ms' | 'MB';
  reference: string;
  referenceValue: number;
  goal: string;
  met: boolean;
}

const CLI = join(import.meta.dirname, '../bin/pipewright.js');

function project(blocks: Record<string, { code: string; upstream?: string }>): string {
  const root = mkdtempSync(join(tmpdir(), 'pipewright-bench-'));
  mkdirSync(join(root, 'custom'), { recursive: true });
  mkdirSync(join(root, 'pipelines', 'p'), { recursive: true });
  writeFileSync(join(root, 'io_config.yaml'), 'version: 0.1.1\n');
  const entries = Object.entries(blocks).map(([uuid, b]) => {
    writeFileSync(join(root, 'custom', `${uuid}.ts`), b.code);
    const down = Object.entries(blocks)
      .filter(([, o]) => o.upstream === uuid)
      .map(([u]) => u);
    return `- {uuid: ${uuid}, type: custom, language: typescript, upstream_blocks: [${b.upstream ?? ''}], downstream_blocks: [${down.join(', ')}]}`;
  });
  writeFileSync(join(root, 'pipelines', 'p', 'metadata.yaml'), `blocks:\n${entries.join('\n')}\nuuid: p\n`);
  return root;
}

function timeRun(root: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'run', 'p'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`run failed: ${result.stdout}${result.stderr}`);
  return performance.now() - start;
}

const NOOP = "import { custom } from 'pipewright';\nexport default custom(async () => {});\n";

/** A chain of 100 no-op blocks against one no-op block: the cost of running blocks, not of starting. */
export function noopPipelineBench(rows: BenchRow[]): void {
  const chain: Record<string, { code: string; upstream?: string }> = {};
  for (let i = 0; i < 100; i++) chain[`b${i}`] = { code: NOOP, upstream: i ? `b${i - 1}` : undefined };
  const hundred = project(chain);
  const one = project({ b0: { code: NOOP } });
  try {
    timeRun(hundred); // compile cache and OS caches warm, as for a user's second run
    const reference = Math.min(timeRun(one), timeRun(one), timeRun(one));
    const value = Math.min(timeRun(hundred), timeRun(hundred), timeRun(hundred));
    rows.push({
      what: '`pipewright run`: a chain of 100 no-op TypeScript blocks',
      value,
      unit: 'ms',
      reference: 'the same for 1 no-op block',
      referenceValue: reference,
      goal: '< 2000 ms',
      met: value < 2000,
    });
  } finally {
    rmSync(hundred, { recursive: true, force: true });
    rmSync(one, { recursive: true, force: true });
  }
}

const FIVE_MILLION = [
  "import { custom } from 'pipewright';",
  'export default custom(async function* () {',
  '  for (let start = 0; start < 5_000_000; start += 50_000) {',
  '    yield Array.from({ length: 50_000 }, (_, i) => ({ id: start + i, fare: ((start + i) % 97) / 4, zone: `z${(start + i) % 265}` }));',
  '  }',
  '});',
].join('\n');

/** Peak memory of a block streaming 5M rows into parquet, against node merely making the same batches. */
export function streamingMemoryBench(rows: BenchRow[]): void {
  const root = project({ big: { code: FIVE_MILLION } });
  try {
    const events = join(root, 'events.jsonl');
    const run = spawnSync(process.execPath, [CLI, 'run', 'p', '--events', events], { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`run failed: ${run.stdout}`);
    const finished = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.kind === 'block-finished');
    const script = `${FIVE_MILLION.replace("import { custom } from 'pipewright';", '')
      .replace('export default custom(', 'const gen = (')
      .replace(/\);\s*$/, ');')}
let peak = 0; (async () => { for await (const b of gen()) { peak = Math.max(peak, process.memoryUsage.rss()); } console.log(peak); })();`;
    const reference = Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim());
    const mb = (bytes: number) => bytes / 1048576;
    rows.push({
      what: 'peak RSS: a block streaming 5M rows (async iterable) into parquet',
      value: mb(finished.peakMemoryBytes),
      unit: 'MB',
      reference: 'node only making the same batches',
      referenceValue: mb(reference),
      goal: '< 300 MB',
      met: mb(finished.peakMemoryBytes) < 300,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
