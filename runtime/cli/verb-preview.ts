import { readFileSync } from 'node:fs';
import type { PreviewJson } from '../protocol.js';
import { parquetSource } from '../data/sql-text.js';
import { latestOutputs, readHistory } from '../history/run-history.js';
import { loadProject } from '../project/load-project.js';
import { projectSecrets, redactor } from '../project/secrets.js';
import { PROJECT_FLAG, type Verb } from './command.js';
import { paint } from './output.js';
import { noProject, projectDir } from './project-arg.js';
import { jsonText } from '../data/json-text.js';

function cell(value: unknown, type: string): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date && type === 'DATE') return value.toISOString().slice(0, 10);
  if (value instanceof Date)
    return value
      .toISOString()
      .replace('T', ' ')
      .replace(/\.000Z$/, '')
      .replace(/Z$/, '');
  if (typeof value === 'object') return jsonText(value);
  return String(value);
}

/** `pipewright preview <pipeline> <block>`: the first rows of a block's latest output. */
export const previewVerb: Verb = {
  name: 'preview',
  summary: "Show the first rows of a block's latest output, with column types and row count.",
  usage: 'pipewright preview <PIPELINE> <BLOCK> [--rows N] [--sql QUERY] [--json]',
  flags: {
    project: PROJECT_FLAG,
    rows: { type: 'string', value: 'N', description: 'Rows to show (default 10)' },
    sql: { type: 'string', value: 'QUERY', description: 'Show the result of a DuckDB query over the output, which it calls data' },
    json: { type: 'boolean', description: 'Print columns, row count and rows as JSON' },
  },
  async run(invocation) {
    const dir = projectDir(invocation);
    if (!dir) return noProject(invocation);
    const [pipeline, block] = invocation.positionals;
    if (!pipeline || !block) {
      invocation.err('error: Name the pipeline and the block: pipewright preview <PIPELINE> <BLOCK>');
      return 2;
    }
    const latest = latestOutputs(readHistory(dir), pipeline).get(block);
    if (!latest) {
      invocation.err(`error: No output of ${pipeline}/${block} yet: run it with pipewright run ${pipeline} --block ${block}`);
      return 1;
    }
    const limit = Math.max(0, Number(invocation.flags.rows ?? 10) || 10);
    // Data can hold secrets too (a block that selected a password): previews mask them like logs.
    const redact = redactor(projectSecrets(loadProject(dir)));
    const { output, runId } = latest;
    if (output.kind !== 'table') {
      const value = output.kind === 'json' ? JSON.parse(readFileSync(output.files[0], 'utf8')) : null;
      invocation.out(
        redact(
          invocation.flags.json
            ? JSON.stringify({ run: runId, kind: output.kind, value } satisfies PreviewJson, null, 2)
            : `${block} (run ${runId}) returned ${output.kind === 'none' ? 'nothing' : JSON.stringify(value, null, 2)}`,
        ),
      );
      return 0;
    }
    // DuckDB loads only here: every other verb starts without it.
    const [{ Dataset }, { openDuck }] = await Promise.all([import('../data/dataset.js'), import('../data/duck.js')]);
    let dataset = new Dataset(await openDuck({ threads: 1 }), parquetSource(output.files), block);
    let { columns, rows: total } = output;
    if (typeof invocation.flags.sql === 'string') {
      dataset = dataset.sql(invocation.flags.sql);
      try {
        [columns, total] = await Promise.all([dataset.schema(), dataset.count()]);
      } catch (error) {
        invocation.err(`error: The query failed: ${(error as Error).message}`);
        return 1;
      }
    }
    const rows = await dataset.rows({ limit });
    if (invocation.flags.json) {
      invocation.out(redact(jsonText({ run: runId, rows: total, columns, preview: rows } satisfies PreviewJson, 2)));
      return 0;
    }
    const headers = columns.map((c) => `${c.name}\n${c.type}`);
    const table = [headers.map((h) => h.split('\n')[0]), headers.map((h) => h.split('\n')[1]), ...rows.map((r) => columns.map((c) => cell(r[c.name], c.type)))];
    const widths = columns.map((_, i) => Math.min(40, Math.max(...table.map((row) => row[i].length))));
    const format = (row: string[]) => row.map((v, i) => (v.length > widths[i] ? `${v.slice(0, widths[i] - 1)}…` : v.padEnd(widths[i]))).join('  ');
    invocation.out(paint(invocation.color, 'bold', format(table[0])));
    invocation.out(paint(invocation.color, 'dim', format(table[1])));
    for (const row of table.slice(2)) invocation.out(redact(format(row)));
    invocation.out(paint(invocation.color, 'dim', `${rows.length} of ${total} rows, from run ${runId}`));
    return 0;
  },
};
