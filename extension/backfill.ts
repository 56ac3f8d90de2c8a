import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BackfillPlanJson, RunEvent } from '../runtime/protocol.js';
import { runCli } from './cli.js';
import { runtimeTerminal, Tail } from './runs.js';
import { eventsDir } from '../runtime/layout.js';

const DATE = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$/;
const INTERVAL = /^(hour|day|week|month|year|\d+ (hour|day|week|month|year)s?)$/;

/**
 * "Backfill Pipeline…": asks the dates and the interval, shows how many runs that makes (and how
 * many already succeeded) before anything starts, then runs the backfill in a terminal with a
 * progress notification whose Cancel stops it as Ctrl-C does (a later backfill resumes it).
 */
export async function backfill(
  context: vscode.ExtensionContext,
  target: { root: string; pipeline: string },
  options: { profileArgs: string[]; onRunFinished: () => void },
): Promise<void> {
  const title = `Backfill ${target.pipeline}`;
  const validateDate = (value: string) => (DATE.test(value.trim()) ? undefined : 'A date as YYYY-MM-DD (or YYYY-MM-DD HH:MM)');
  const start = await vscode.window.showInputBox({
    title,
    prompt: 'First execution date (included)',
    placeHolder: '2021-01-01',
    validateInput: validateDate,
    ignoreFocusOut: true,
  });
  if (!start) return;
  const end = await vscode.window.showInputBox({
    title,
    prompt: 'Last execution date (included)',
    value: start.trim(),
    ignoreFocusOut: true,
    validateInput: (value) => validateDate(value) ?? (value.trim() < start.trim() ? 'The last date comes before the first' : undefined),
  });
  if (!end) return;
  const picked = await vscode.window.showQuickPick(['day', 'hour', 'week', 'month', 'Other…'], { title, placeHolder: 'One run per' });
  if (!picked) return;
  const interval =
    picked === 'Other…'
      ? await vscode.window.showInputBox({
          title,
          prompt: 'An interval such as "6 hours" or "2 weeks"',
          ignoreFocusOut: true,
          validateInput: (v) => (INTERVAL.test(v.trim()) ? undefined : 'hour, day, week, month, year, or "<n> <unit>"'),
        })
      : picked;
  if (!interval) return;
  const args = ['backfill', target.pipeline, '--start', start.trim(), '--end', end.trim(), '--interval', interval.trim(), ...options.profileArgs];
  const dry = await runCli(context, [...args, '--dry-run', '--json'], target.root);
  if (dry.code !== 0) {
    void vscode.window.showErrorMessage(`${title}: ${dry.stderr.replace(/^error: /, '').trim() || dry.stdout.trim()}`);
    return;
  }
  const plan = JSON.parse(dry.stdout) as BackfillPlanJson;
  let force = false;
  if (plan.to_run === 0) {
    const again = await vscode.window.showInformationMessage(`${title}: all ${plan.done} runs already completed.`, { modal: true }, 'Run Them Again');
    if (!again) return;
    force = true;
  } else {
    const go = await vscode.window.showInformationMessage(
      `${title}: ${plan.to_run} run${plan.to_run === 1 ? '' : 's'} to make${plan.done ? `, ${plan.done} already completed (skipped)` : ''}.`,
      { modal: true, detail: plan.backfill },
      'Start',
    );
    if (!go) return;
  }
  const total = force ? plan.done : plan.to_run;
  const dir = eventsDir(target.root);
  mkdirSync(dir, { recursive: true });
  const eventsFile = join(dir, `backfill-${Date.now()}-${process.pid}.jsonl`);
  let exited!: () => void;
  const ended = new Promise<void>((resolve) => (exited = resolve));
  const runtime = runtimeTerminal(context, target.root, [...args, ...(force ? ['--force'] : []), '--events', eventsFile], { onExit: () => exited() });
  vscode.window.createTerminal({ name: `Pipewright: ${title}`, pty: runtime.pty, iconPath: new vscode.ThemeIcon('history') }).show(true);
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    token.onCancellationRequested(() => runtime.interrupt());
    const tail = new Tail(eventsFile);
    let finished = 0;
    const counts = new Map<string, number>();
    const drain = () => {
      for (const line of tail.lines()) {
        const event = JSON.parse(line) as RunEvent;
        if (event.kind !== 'run-finished') continue;
        finished++;
        counts.set(event.status, (counts.get(event.status) ?? 0) + 1);
        progress.report({ increment: 100 / Math.max(1, total), message: `${finished}/${total} · ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}` });
        options.onRunFinished();
      }
    };
    const poll = setInterval(drain, 300);
    try {
      await ended;
    } finally {
      clearInterval(poll);
      drain();
    }
  });
}
