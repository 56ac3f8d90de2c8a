import { appendFileSync } from 'node:fs';
import { appendHistory } from '../history/run-history.js';
import type { BlockError, RunEvent, WorkerMessage } from '../protocol.js';
import type { Settled } from './run-state.js';

/**
 * Everything a run writes down, in one place: its events go to the run history and to the caller
 * (the terminal, `--events`, the extension), block logs to the block's log file and live to the
 * caller; all of it with the project's resolved secrets masked first.
 */
export class RunJournal {
  constructor(
    private readonly root: string,
    private readonly run: { runId: string; redact: (text: string) => string; onEvent?: (event: RunEvent) => void },
  ) {}

  get runId(): string {
    return this.run.runId;
  }

  /** Records an event (block logs and progress are live only: the log file has them). */
  emit(event: RunEvent): void {
    const safe = this.clean(event);
    appendHistory(this.root, safe);
    this.run.onEvent?.(safe);
  }

  /** A unit's final status, from the run's state, as its block-finished event; `since`: when a block run per item fanned out. */
  settled(step: Settled, since?: number): void {
    const { name, status, attempt, details, output, error, children, parent } = step;
    const family = since === undefined ? {} : { startedAt: new Date(since).toISOString(), durationMs: Date.now() - since };
    this.emit({
      kind: 'block-finished',
      time: new Date().toISOString(),
      runId: this.runId,
      block: name,
      status,
      attempt,
      durationMs: 0,
      ...details,
      ...family,
      ...(output ? { output } : {}),
      ...(error ? { error } : {}),
      ...(children ? { children } : {}),
      ...(parent ? { parent } : {}),
    });
  }

  /** Handles a worker's log line or progress for a block: to its log file and to the caller. */
  log(block: string, logFile: string, prefix = ''): (message: WorkerMessage) => void {
    return (message) => {
      const time = new Date().toISOString();
      if (message.kind === 'log') {
        const text = this.run.redact(prefix + message.message);
        appendFileSync(logFile, `${time} ${message.level.toUpperCase()} ${text}\n`);
        this.run.onEvent?.({ kind: 'block-log', time, runId: this.runId, block, level: message.level, message: text });
      } else if (message.kind === 'progress') {
        this.run.onEvent?.({ kind: 'block-progress', time, runId: this.runId, block, rows: message.rows, bytes: message.bytes });
      }
    };
  }

  /** A line of the runtime's own in a block's log. */
  note(block: string, logFile: string, level: 'info' | 'warn', text: string): void {
    this.log(block, logFile)({ kind: 'log', level, message: text });
  }

  /** A failed attempt's error and stack, in the block's log file only (the events carry the message). */
  logError(logFile: string, error: BlockError): void {
    appendFileSync(logFile, this.run.redact(`${new Date().toISOString()} ERROR ${error.message}\n${error.stack ?? ''}\n`));
  }

  /** An error with its text masked: paths and other structured fields stay intact (a secret in a path must not break it). */
  cleanError(error: BlockError): BlockError;
  cleanError(error: BlockError | undefined): BlockError | undefined;
  cleanError(error: BlockError | undefined): BlockError | undefined {
    const redact = this.run.redact;
    return error && { ...error, message: redact(error.message), ...(error.stack ? { stack: redact(error.stack) } : {}) };
  }

  private clean(event: RunEvent): RunEvent {
    const redact = this.run.redact;
    if (event.kind === 'block-finished') {
      // A secret may even be a column's name (a value read as a header row).
      const output = event.output && { ...event.output, columns: event.output.columns.map((c) => ({ ...c, name: redact(c.name) })) };
      return { ...event, error: this.cleanError(event.error), ...(output ? { output } : {}) };
    }
    if (event.kind === 'block-retry') return { ...event, error: this.cleanError(event.error) };
    if (event.kind === 'callback-finished') return { ...event, error: this.cleanError(event.error) };
    if (event.kind === 'run-started') {
      return { ...event, variables: Object.fromEntries(Object.entries(event.variables).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v])) };
    }
    return event;
  }
}
