import type { RunEvent } from '../protocol.js';
import { paint } from './output.js';
import { formatDuration } from '../duration.js';

/** Human-readable sizes and counts for the terminal. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const number = new Intl.NumberFormat('en-US');

/**
 * Prints a run as it happens: one line per block state change (duration, rows, peak memory), the
 * blocks' log lines, a live progress line on a terminal, and a summary at the end.
 */
export function createRunRenderer(options: { write: (text: string) => void; color: boolean; live: boolean; cwdPath: (file: string) => string }) {
  const { write, color, live } = options;
  let progressShown = false;
  const progress = new Map<string, { rows: number; bytes: number; since: number }>();
  const counts = new Map<string, number>();
  let runId = '';
  const line = (text: string) => {
    if (progressShown) write('\r\u001b[2K');
    progressShown = false;
    write(`${text}\n`);
  };
  return (event: RunEvent): void => {
    switch (event.kind) {
      case 'run-started':
        runId = event.runId;
        line(
          `${paint(color, 'bold', `▶ ${event.pipeline}`)}  run ${event.runId}  execution_date ${event.executionDate}  ${event.blocks.length} block${event.blocks.length === 1 ? '' : 's'}`,
        );
        break;
      case 'block-started':
        progress.set(event.block, { rows: 0, bytes: 0, since: Date.now() });
        line(`  ${paint(color, 'cyan', '●')} ${event.block}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''} started`);
        break;
      case 'block-log':
        line(paint(color, 'dim', `    │ ${event.message}`));
        break;
      case 'block-progress': {
        const state = progress.get(event.block);
        if (!state) break;
        if (event.rows !== undefined) state.rows = event.rows;
        if (event.bytes !== undefined) state.bytes = event.bytes;
        if (!live) break;
        const seconds = Math.max(0.001, (Date.now() - state.since) / 1000);
        const work =
          state.rows > 0
            ? `${number.format(state.rows)} rows  ${number.format(Math.round(state.rows / seconds))} rows/s`
            : `${formatBytes(state.bytes)} downloaded  ${formatBytes(Math.round(state.bytes / seconds))}/s`;
        write(`\r\u001b[2K  … ${event.block}  ${work}  memory ${formatBytes(process.memoryUsage.rss())}`);
        progressShown = true;
        break;
      }
      case 'block-retry':
        line(`  ${paint(color, 'yellow', '↻')} ${event.block} failed (attempt ${event.attempt}): ${event.error.message.split('\n')[0]}; retrying in ${event.delaySeconds} s`);
        break;
      case 'block-finished': {
        // A block's runs per item are counted once, in the block's own line.
        if (!event.parent) counts.set(event.status, (counts.get(event.status) ?? 0) + 1);
        const ok = event.status === 'completed';
        const skipped = event.status === 'condition_failed';
        const mark = ok ? paint(color, 'green', '✔') : skipped ? paint(color, 'dim', '○') : event.status === 'cancelled' ? paint(color, 'yellow', '■') : paint(color, 'red', '✖');
        const facts = [event.status, event.durationMs ? formatDuration(event.durationMs) : undefined];
        if (event.children) facts.push(`${event.children.length} run${event.children.length === 1 ? '' : 's'}, one per item`);
        if (event.output?.kind === 'table') facts.push(`${number.format(event.output.rows)} rows`);
        if (event.tests && event.tests.total > 0) facts.push(`${event.tests.passed}/${event.tests.total} tests`);
        if (event.peakMemoryBytes) facts.push(`peak ${formatBytes(event.peakMemoryBytes)}`);
        line(`  ${mark} ${event.block}  ${facts.filter(Boolean).join('  ')}`);
        if (event.upstreamFrom) for (const [up, run] of Object.entries(event.upstreamFrom)) line(paint(color, 'dim', `    input ${up} from run ${run}`));
        if (event.error && skipped) line(paint(color, 'dim', `    ${event.error.message}`));
        else if (event.error && !ok) {
          const where = event.error.file ? `${options.cwdPath(event.error.file)}${event.error.line ? `:${event.error.line}:${event.error.col ?? 1}` : ''}: ` : '';
          line(`    ${where}${paint(color, 'red', 'error')}: ${event.error.message}`);
        }
        break;
      }
      case 'callback-finished': {
        const text = `    ↳ callback ${event.callback} (${event.on}) ${event.status}${event.error ? `: ${event.error.message.split('\n')[0]}` : ''}`;
        line(event.status === 'completed' ? paint(color, 'dim', text) : paint(color, 'yellow', text));
        break;
      }
      case 'run-finished': {
        const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
        const ok = event.status === 'completed';
        line(paint(color, ok ? 'green' : 'red', `${ok ? '✔' : '✖'} ${event.status} in ${formatDuration(event.durationMs)}: ${summary || 'no blocks'}`));
        if (!ok) line(`  logs: pipewright logs ${runId}`);
        break;
      }
    }
  };
}
