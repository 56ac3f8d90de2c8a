import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BlockStatus, RunEvent } from '../runtime/protocol.js';
import { cliCommand } from './cli.js';
import { eventsDir } from '../runtime/layout.js';
import { formatDuration } from '../runtime/duration.js';

/** A block's state in a live run. */
export type LiveStatus = BlockStatus | 'running' | 'pending';

/** A run started from the editor, followed through the events the CLI writes. */
export interface LiveRun {
  root: string;
  pipeline: string;
  runId?: string;
  statuses: Map<string, LiveStatus>;
  finished?: Exclude<RunEvent & { kind: 'run-finished' }, never>['status'];
}

/** Reads the lines appended to a file since the last call. */
export class Tail {
  private offset = 0;
  private rest = '';
  constructor(private readonly file: string) {}

  lines(): string[] {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return [];
    }
    if (size <= this.offset) return [];
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const text = this.rest + buffer.toString('utf8');
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    return lines.filter((l) => l.trim() !== '');
  }
}

/** A terminal's side of a runtime process, and a way to interrupt it as Ctrl-C does. */
export interface RuntimeTerminal {
  pty: vscode.Pseudoterminal;
  /** Sends SIGINT, as Ctrl-C in the terminal does (the CLI then stops cleanly); the output stays. */
  interrupt(): void;
}

/**
 * A terminal attached to a runtime process (`pipewright <args>` in `root`): its output live, Ctrl-C
 * sent to it as SIGINT (the CLI cancels cleanly; a second Ctrl-C exits at once), and the output kept
 * after it exits.
 */
export function runtimeTerminal(context: vscode.ExtensionContext, root: string, args: string[], hooks: { onExit?: (code: number | null) => void } = {}): RuntimeTerminal {
  const command = cliCommand(context, args, { root });
  const { executable, env } = command;
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  let child: ChildProcess | undefined;
  let exited = false;
  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: (dimensions) => {
      child = spawn(executable, [...command.args, ...args], {
        cwd: root,
        env: { ...process.env, ...env, COLUMNS: String(dimensions?.columns ?? 120) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const forward = (chunk: Buffer) => write.fire(chunk.toString('utf8').replace(/\r?\n/g, '\r\n'));
      child.stdout!.on('data', forward);
      child.stderr!.on('data', forward);
      child.on('error', (error) => write.fire(`\r\nCannot start the Pipewright runtime: ${error.message}\r\n`));
      child.on('exit', (code, signal) => {
        exited = true;
        write.fire(`\r\n\x1b[2m[${signal ? `stopped by ${signal}` : `exit code ${code}`}; press any key to close]\x1b[0m\r\n`);
        hooks.onExit?.(code);
      });
    },
    handleInput: (data) => {
      if (exited) close.fire(0);
      else if (data === '\x03') child?.kill('SIGINT');
    },
    close: () => {
      if (!exited) child?.kill('SIGINT');
    },
  };
  return { pty, interrupt: () => !exited && child?.kill('SIGINT') };
}

/**
 * Runs pipelines and blocks in VS Code terminals attached to the runtime process (the user sees the
 * live output and can Ctrl-C it), and follows each run through its events to update the views.
 */
export class Runs implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<LiveRun>();
  readonly onDidChange = this.changed.event;
  private readonly live = new Set<LiveRun>();
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  private sequence = 0;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.status.name = 'Pipewright runs';
  }

  /** The live (or just finished) run of a pipeline, if one was started here. */
  liveRun(root: string, pipeline: string): LiveRun | undefined {
    return [...this.live].reverse().find((r) => r.root === root && r.pipeline === pipeline);
  }

  /** Starts `pipewright <args>` for a pipeline in a new terminal and follows its events. */
  start(root: string, pipeline: string, args: string[], title: string): LiveRun {
    const dir = eventsDir(root);
    mkdirSync(dir, { recursive: true });
    const eventsFile = join(dir, `${Date.now()}-${process.pid}-${this.sequence++}.jsonl`);
    const terminal = vscode.window.createTerminal({
      name: `Pipewright: ${title}`,
      pty: runtimeTerminal(this.context, root, [...args, '--events', eventsFile]).pty,
      iconPath: new vscode.ThemeIcon('run'),
    });
    terminal.show(true);
    const run: LiveRun = { root, pipeline, statuses: new Map() };
    this.live.add(run);
    const tail = new Tail(eventsFile);
    const poll = setInterval(() => {
      for (const line of tail.lines()) this.apply(run, JSON.parse(line) as RunEvent);
    }, 250);
    const closed = vscode.window.onDidCloseTerminal((t) => {
      if (t !== terminal) return;
      for (const line of tail.lines()) this.apply(run, JSON.parse(line) as RunEvent);
      clearInterval(poll);
      closed.dispose();
      if (!run.finished) {
        run.finished = 'cancelled';
        this.changed.fire(run);
      }
      this.render();
    });
    this.render();
    return run;
  }

  private apply(run: LiveRun, event: RunEvent): void {
    if (event.kind === 'run-started') {
      run.runId = event.runId;
      for (const block of event.blocks) run.statuses.set(block, 'pending');
    } else if (event.kind === 'block-started') {
      run.statuses.set(event.block, 'running');
    } else if (event.kind === 'block-finished') {
      run.statuses.set(event.block, event.status);
    } else if (event.kind === 'run-finished') {
      run.finished = event.status;
      const message = `Pipewright: ${run.pipeline} ${event.status} in ${formatDuration(event.durationMs)}`;
      if (event.status === 'completed') void vscode.window.showInformationMessage(message);
      else void vscode.window.showErrorMessage(message, 'Show logs').then((choice) => choice && vscode.commands.executeCommand('pipewright.showLogs', run.root, event.runId));
    } else {
      return;
    }
    this.changed.fire(run);
    this.render();
  }

  private render(): void {
    const running = [...this.live].filter((r) => !r.finished);
    if (running.length === 0) {
      this.status.hide();
      return;
    }
    const run = running.at(-1)!;
    const done = [...run.statuses.values()].filter((s) => s !== 'pending' && s !== 'running').length;
    this.status.text = `$(sync~spin) ${run.pipeline} ${done}/${run.statuses.size}${running.length > 1 ? ` (+${running.length - 1})` : ''}`;
    this.status.tooltip = 'A Pipewright run is going; its terminal shows the output (Ctrl-C there stops it)';
    this.status.show();
  }

  dispose(): void {
    this.status.dispose();
    this.changed.dispose();
  }
}
