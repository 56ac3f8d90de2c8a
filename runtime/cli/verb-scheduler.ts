import { Scheduler } from '../scheduler/scheduler.js';
import { PROFILE_FLAG, profileOf, PROJECT_FLAG, type Verb } from './command.js';
import { paint } from './output.js';
import { noProject, projectDir } from './project-arg.js';
import { onStopSignals } from './stop-signals.js';
import { pruneProject } from '../history/retention.js';
import { loadProject } from '../project/load-project.js';

/** `pipewright scheduler`: runs the project's active time triggers until stopped. */
export const schedulerVerb: Verb = {
  name: 'scheduler',
  summary: "Run the project's active triggers on their schedules, until stopped (Ctrl-C).",
  usage: 'pipewright scheduler [--every SECONDS] [--once] [--profile NAME]',
  details:
    'Trigger edits apply at the next check, without a restart. Each (pipeline, trigger, execution_date)\n' +
    'runs once, even with two schedulers or after a restart. Ctrl-C stops starting runs and waits for\n' +
    'those going; a second Ctrl-C cancels them.',
  flags: {
    project: PROJECT_FLAG,
    every: { type: 'string', value: 'SECONDS', description: 'How often to check the triggers (default 15)' },
    once: { type: 'boolean', description: 'Check once, wait for the runs it starts, and exit (for cron or CI)' },
    profile: PROFILE_FLAG,
  },
  async run(invocation) {
    const root = projectDir(invocation);
    if (!root) return noProject(invocation);
    const every = Number(invocation.flags.every ?? 15);
    if (!(every > 0)) {
      invocation.err(`error: --every ${String(invocation.flags.every)}: give a number of seconds`);
      return 2;
    }
    const stamp = () => paint(invocation.color, 'dim', new Date().toISOString().slice(0, 19).replace('T', ' '));
    const scheduler = new Scheduler({ root, profile: profileOf(invocation), log: (line) => invocation.out(`${stamp()} ${line}`) });
    if (invocation.flags.once) {
      const started = scheduler.tick();
      if (started.length === 0) invocation.out(`${stamp()} nothing is due`);
      const results = await Promise.all(started.map((s) => s.done));
      return results.every((r) => r?.status === 'completed') ? 0 : 1;
    }
    invocation.out(`${stamp()} scheduler started for ${root} with the ${profileOf(invocation)} profile, checking every ${every} s (Ctrl-C to stop)`);
    const stopped = new Promise<void>((resolve) => {
      onStopSignals((signals) => {
        if (signals === 1) {
          invocation.out(`${stamp()} stopping: no new runs; waiting for ${scheduler.active} running (Ctrl-C again to cancel them)`);
          void scheduler.stop({ cancel: false }).then(() => resolve());
        } else {
          invocation.out(`${stamp()} cancelling the running runs`);
          void scheduler.stop({ cancel: true }).then(() => resolve());
        }
      });
    });
    let timer: NodeJS.Timeout | undefined;
    let pruned = 0;
    const loop = () => {
      try {
        scheduler.tick();
        // Retention applies to what the scheduler's runs leave too, once an hour.
        if (Date.now() - pruned > 3_600_000) {
          pruned = Date.now();
          pruneProject(loadProject(root));
        }
      } catch (error) {
        invocation.out(`${stamp()} ${paint(invocation.color, 'red', 'error')}: ${(error as Error).message}`);
      }
      timer = setTimeout(loop, every * 1000);
    };
    loop();
    await stopped;
    clearTimeout(timer);
    invocation.out(`${stamp()} scheduler stopped`);
    return 0;
  },
};
