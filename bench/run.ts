// `npm run bench`: performance targets, each measured against a reference taken in the same run, so
// the ratios hold from one machine to another. Prints a Markdown table for the README.
import { pythonExportBench } from './python-bench.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { loadProject } from '../runtime/project/load-project.ts';
import { validateProject } from '../runtime/validate/validate-project.ts';
import { generateProject } from './generate-project.ts';
import { partitionedParquetBench } from './parquet-bench.ts';
import { languageServerBench } from './language-server-bench.ts';
import { apiToPostgresBench } from './postgres-bench.ts';
import { noopPipelineBench, streamingMemoryBench, type BenchRow } from './runtime-bench.ts';

interface Row {
  what: string;
  ms: number;
  reference: string;
  referenceMs: number;
  goal: string;
  met: boolean;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(runs: number, body: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    body();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function projectLoadBench(rows: Row[]): void {
  const root = mkdtempSync(join(tmpdir(), 'pipewright-bench-'));
  try {
    generateProject(root, { pipelines: 200, blocks: 50 });
    const files = readdirSync(join(root, 'pipelines')).flatMap((p) => ['metadata.yaml', 'triggers.yaml'].map((f) => join(root, 'pipelines', p, f)));
    // Reference: only reading and parsing the same YAML files with the fastest parser, nothing else.
    const parseOnly = time(5, () => {
      for (const file of files) load(readFileSync(file, 'utf8'), { schema: CORE_SCHEMA });
    });
    let problems = -1;
    const loadAndValidate = time(5, () => {
      problems = validateProject(loadProject(root), { env: {} }).length;
    });
    if (problems !== 1) throw new Error(`expected only the unset BENCH_PG_HOST warning, got ${problems} problems`);
    rows.push({
      what: 'load + validate 200 pipelines × 50 blocks (in process)',
      ms: loadAndValidate,
      reference: 'reading + parsing the same YAML files (js-yaml)',
      referenceMs: parseOnly,
      goal: '< 1000 ms',
      met: loadAndValidate < 1000,
    });
    const cli = join(import.meta.dirname, '../bin/pipewright.js');
    const node = time(3, () => execFileSync(process.execPath, ['-e', '0']));
    const validateCli = time(3, () => {
      try {
        execFileSync(process.execPath, [cli, 'validate', root, '--quiet'], { stdio: 'pipe' });
      } catch (error) {
        throw new Error(`pipewright validate failed: ${String((error as { stdout?: Buffer }).stdout)}`, { cause: error });
      }
    });
    rows.push({
      what: '`pipewright validate` on it (whole process)',
      ms: validateCli,
      reference: 'starting node with no code',
      referenceMs: node,
      goal: '— (for information)',
      met: true,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// BENCH_ONLY=postgres,parquet runs only the benchmarks whose names contain one of the words.
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const wanted = (name: string) => !only || only.some((word) => name.includes(word));
const rows: Row[] = [];
if (wanted('project-load')) projectLoadBench(rows);
const table: BenchRow[] = rows.map((r) => ({ what: r.what, value: r.ms, unit: 'ms', reference: r.reference, referenceValue: r.referenceMs, goal: r.goal, met: r.met }));
if (wanted('noop-pipeline')) noopPipelineBench(table);
if (wanted('streaming-memory')) streamingMemoryBench(table);
void (async () => {
  if (wanted('language-server')) await languageServerBench(table);
  if (wanted('api-to-postgres')) await apiToPostgresBench(table);
  if (wanted('partitioned-parquet')) await partitionedParquetBench(table);
  if (wanted('python-export')) await pythonExportBench(table);
  console.log('| what | measured | reference | reference measured | ratio | goal | met |');
  console.log('| --- | ---: | --- | ---: | ---: | --- | --- |');
  for (const r of table) {
    const value = `${r.value.toFixed(0)} ${r.unit}`;
    const reference = `${r.referenceValue.toFixed(0)} ${r.unit}`;
    console.log(`| ${r.what} | ${value} | ${r.reference} | ${reference} | ${(r.value / r.referenceValue).toFixed(2)}x | ${r.goal} | ${r.met ? 'yes' : 'NO'} |`);
  }
  if (table.some((r) => !r.met)) process.exitCode = 1;
})();
