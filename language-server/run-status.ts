import { statSync } from 'node:fs';
import { readHistory, type BlockRecord, type RunRecord } from '../runtime/history/run-history.js';
import { historyFile } from '../runtime/layout.js';
import { formatDuration } from '../runtime/duration.js';

const MARK: Record<string, string> = {
  completed: '✓',
  failed: '✗',
  upstream_failed: '✗',
  cancelled: '■',
  skipped: '○',
  condition_failed: '○',
  running: '…',
  pending: '…',
};

/** The run history of each project, read again only when runs.jsonl changed. */
const cache = new Map<string, { stamp: string; runs: RunRecord[] }>();

export function runsOf(root: string): RunRecord[] {
  let stamp: string;
  try {
    const stat = statSync(historyFile(root));
    stamp = `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return [];
  }
  const cached = cache.get(root);
  if (cached?.stamp === stamp) return cached.runs;
  const runs = readHistory(root);
  cache.set(root, { stamp, runs });
  return runs;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : formatDuration(ms);
}

/** A block's latest run as a line of a hover: status, when, how long, rows, and the run; undefined when it never ran. */
export function lastRunLine(root: string, pipeline: string, block: string): string | undefined {
  const runs = runsOf(root);
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i];
    const record: BlockRecord | undefined = run.pipeline === pipeline ? run.blocks.get(block) : undefined;
    if (!record) continue;
    const facts = [
      record.startedAt ? new Date(record.startedAt).toLocaleString('en-CA', { hour12: false }).replace(',', '') : undefined,
      seconds(record.durationMs) || undefined,
      record.output && record.output.kind === 'table' ? `${record.output.rows.toLocaleString('en-US')} rows` : undefined,
      record.children ? `${record.children.length} runs per item` : undefined,
    ].filter(Boolean);
    const error = record.error ? `: ${record.error.message.split('\n')[0]}` : '';
    return `Last run: ${MARK[record.status] ?? ''} ${record.status.replace('_', ' ')}${facts.length ? ` · ${facts.join(' · ')}` : ''} (run \`${run.runId}\`)${error}`;
  }
  return undefined;
}
