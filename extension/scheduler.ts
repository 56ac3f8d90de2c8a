import * as vscode from 'vscode';
import { runtimeTerminal, type RuntimeTerminal } from './runs.js';

/**
 * The scheduler of a project, started and stopped from the status bar: `pipewright scheduler` in a
 * terminal (its log stays there), stopped as Ctrl-C stops it (no new runs; the ones going finish).
 */
export class SchedulerControl implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pipewright.scheduler', vscode.StatusBarAlignment.Left, 49);
  private running?: { root: string; terminal: vscode.Terminal; process: RuntimeTerminal; stopping: boolean };

  constructor(private readonly context: vscode.ExtensionContext) {
    this.item.name = 'Pipewright scheduler';
    this.render();
  }

  /** Shows the item once the workspace has a project. */
  show(visible: boolean): void {
    if (visible) this.item.show();
    else this.item.hide();
  }

  start(root: string, args: string[] = ['scheduler']): void {
    if (this.running) {
      this.running.terminal.show(true);
      return;
    }
    const process = runtimeTerminal(this.context, root, args, {
      onExit: () => {
        this.running = undefined;
        this.render();
      },
    });
    const terminal = vscode.window.createTerminal({ name: 'Pipewright: scheduler', pty: process.pty, iconPath: new vscode.ThemeIcon('watch') });
    terminal.show(true);
    this.running = { root, terminal, process, stopping: false };
    this.render();
  }

  stop(): void {
    if (!this.running || this.running.stopping) return;
    this.running.stopping = true;
    this.running.process.interrupt();
    this.running.terminal.show(true);
    this.render();
  }

  private render(): void {
    if (!this.running) {
      this.item.text = '$(watch) Scheduler off';
      this.item.tooltip = 'Start the Pipewright scheduler: active triggers run on their schedules';
      this.item.command = 'pipewright.startScheduler';
    } else if (this.running.stopping) {
      this.item.text = '$(sync~spin) Scheduler stopping';
      this.item.tooltip = 'No new runs; waiting for the runs going to finish (Ctrl-C in its terminal cancels them)';
      this.item.command = undefined;
    } else {
      this.item.text = '$(watch) Scheduler on';
      this.item.tooltip = 'The Pipewright scheduler is running active triggers: click to stop it';
      this.item.command = 'pipewright.stopScheduler';
    }
  }

  dispose(): void {
    this.running?.process.interrupt();
    this.item.dispose();
  }
}
