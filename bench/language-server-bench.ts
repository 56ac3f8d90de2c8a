import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../runtime/project/load-project.ts';
import { validateProject } from '../runtime/validate/validate-project.ts';
import { LspClient } from '../test/helpers/lsp-client.ts';
import { generateProject } from './generate-project.ts';
import type { BenchRow } from './runtime-bench.ts';

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))];
}

/**
 * The language server through the real protocol (the built server over stdio) on 200 pipelines ×
 * 50 blocks: the first diagnostics of an opened metadata.yaml, diagnostics after one-character edits,
 * and completion in upstream_blocks. The reference is the same project loaded and validated in process.
 */
export async function languageServerBench(table: BenchRow[], edits = 200): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'pipewright-lsp-bench-'));
  const client = new LspClient();
  try {
    generateProject(root, { pipelines: 200, blocks: 50 });
    const reference = (() => {
      const start = performance.now();
      validateProject(loadProject(root), { env: {} });
      return performance.now() - start;
    })();
    const file = join(root, 'pipelines/pipeline_7/metadata.yaml');
    const text = readFileSync(file, 'utf8');
    const start = performance.now();
    await client.initialize(root);
    const first = client.diagnostics(file, () => true, 30_000);
    // The whole project's check publishes for io_config.yaml (its unset variable), the only problem.
    const whole = client.diagnostics(join(root, 'io_config.yaml'), () => true, 30_000);
    client.open(file, text);
    await first;
    const firstMs = performance.now() - start;
    await whole;
    const wholeMs = performance.now() - start;
    table.push({
      what: 'language server: first diagnostics of an opened metadata.yaml, 200 pipelines × 50 blocks (over stdio, server start included)',
      value: firstMs,
      unit: 'ms',
      reference: 'load + validate in process',
      referenceValue: reference,
      goal: '< 1000 ms',
      met: firstMs < 1000,
    });
    table.push({
      what: "language server: the whole project checked (every file's diagnostics, on the checking thread)",
      value: wholeMs,
      unit: 'ms',
      reference: 'load + validate in process',
      referenceValue: reference,
      goal: '— (for information)',
      met: true,
    });

    // One-character edits that make and mend an unknown upstream block, so every edit changes the file's diagnostics.
    const samples: number[] = [];
    for (let i = 0; i < edits; i++) {
      const broken = i % 2 === 0;
      const edited = broken ? text.replace('  - p7_block_3\n', '  - p7_block_3x\n') : text;
      const started = performance.now();
      const published = client.diagnostics(file, (d) => d.diagnostics.length > 0 === broken, 30_000);
      client.change(file, i + 2, edited);
      await published;
      samples.push(performance.now() - started);
      // A pause now and then, as typing has: the whole-project check starts on its thread and the
      // next edits arrive while it runs.
      if (i % 25 === 24) await new Promise((resolve) => setTimeout(resolve, 450));
    }
    const editMs = p95(samples);
    if (process.env.BENCH_DEBUG) console.error(samples.map((s) => s.toFixed(0)).join(' '));
    table.push({
      what: `language server: diagnostics after a one-character edit (p95 of ${edits})`,
      value: editMs,
      unit: 'ms',
      reference: 'load + validate in process',
      referenceValue: reference,
      goal: '< 50 ms',
      met: editMs < 50,
    });

    const line = text.split('\n').findIndex((l) => l === '  - p7_block_3');
    const completion: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await client.at('textDocument/completion', file, line, 4);
      completion.push(performance.now() - started);
    }
    const completionMs = p95(completion);
    table.push({
      what: 'language server: completion in upstream_blocks (p95 of 200)',
      value: completionMs,
      unit: 'ms',
      reference: 'load + validate in process',
      referenceValue: reference,
      goal: '< 20 ms',
      met: completionMs < 20,
    });
  } finally {
    await client.stop().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}
