import { loadProject } from '../project/load-project.js';
import type { TriggerJson } from '../protocol.js';
import { nextRunTimes } from '../project/schedule-times.js';
import { setTriggerStatus } from '../scaffold/set-trigger-status.js';
import { PROJECT_FLAG, type Verb } from './command.js';
import { paint } from './output.js';
import { noProject, projectDir } from './project-arg.js';

/** `pipewright triggers`: every trigger of the project with its next run times. */
export const triggersVerb: Verb = {
  name: 'triggers',
  summary: 'List the triggers of every pipeline (or one) with their next run times.',
  usage: 'pipewright triggers [PIPELINE] [--next N] [--json]  |  pipewright triggers PIPELINE --activate NAME | --deactivate NAME',
  details:
    "Times are in the trigger's timezone (UTC unless it sets timezone:), as Mage schedules them. --activate and --deactivate set the trigger's status in triggers.yaml, keeping the file's comments and formatting; a running scheduler picks the change up at its next check.",
  flags: {
    project: PROJECT_FLAG,
    next: { type: 'string', value: 'N', description: 'How many next run times to show (default 3)' },
    json: { type: 'boolean', description: 'Print the triggers as JSON' },
    activate: { type: 'string', value: 'NAME', description: 'Set the trigger NAME of PIPELINE to status: active' },
    deactivate: { type: 'string', value: 'NAME', description: 'Set the trigger NAME of PIPELINE to status: inactive' },
  },
  run(invocation) {
    const root = projectDir(invocation);
    if (!root) return noProject(invocation);
    const project = loadProject(root);
    const only = invocation.positionals[0];
    if (only && !project.pipelines.has(only)) {
      invocation.err(`error: Cannot find pipeline "${only}" (pipelines: ${[...project.pipelines.keys()].join(', ') || 'none'})`);
      return 2;
    }
    const toggle = invocation.flags.activate ?? invocation.flags.deactivate;
    if (toggle !== undefined) {
      if (!only || (invocation.flags.activate !== undefined && invocation.flags.deactivate !== undefined)) {
        invocation.err('error: Give one pipeline and one of --activate NAME or --deactivate NAME');
        return 2;
      }
      const status = invocation.flags.activate !== undefined ? 'active' : 'inactive';
      try {
        const changed = setTriggerStatus(root, { pipeline: only, trigger: String(toggle), status });
        invocation.out(changed ? `${only} / ${String(toggle)} is now ${status}` : `${only} / ${String(toggle)} was already ${status}`);
        return 0;
      } catch (error) {
        invocation.err(`error: ${(error as Error).message}`);
        return 1;
      }
    }
    const count = Math.max(1, Number(invocation.flags.next ?? 3) || 3);
    const now = new Date();
    const listed = [...project.pipelines.values()]
      .filter((p) => !only || p.uuid === only)
      .flatMap((pipeline) =>
        pipeline.triggers.map((trigger) => {
          let next: string[] = [];
          let error: string | undefined;
          try {
            next = trigger.scheduleType === 'time' ? nextRunTimes(trigger, now, count).map((d) => d.toISOString()) : [];
          } catch (e) {
            error = (e as Error).message;
          }
          return {
            pipeline: pipeline.uuid,
            name: trigger.name,
            type: trigger.scheduleType,
            schedule: trigger.scheduleInterval ?? null,
            status: trigger.status,
            timezone: trigger.timezone ?? 'UTC',
            next,
            error,
          } satisfies TriggerJson;
        }),
      );
    if (invocation.flags.json) {
      invocation.out(JSON.stringify(listed, null, 2));
      return 0;
    }
    if (listed.length === 0) {
      invocation.out('No triggers: add one to pipelines/<name>/triggers.yaml');
      return 0;
    }
    for (const t of listed) {
      const status = paint(invocation.color, t.status === 'active' ? 'green' : 'dim', t.status);
      invocation.out(`${t.pipeline} / ${paint(invocation.color, 'bold', t.name)}  ${t.type} ${t.schedule ?? ''}  ${status}  ${t.timezone}`);
      if (t.error) invocation.out(paint(invocation.color, 'red', `  ${t.error}`));
      for (const time of t.next) invocation.out(`  next ${time.replace('T', ' ').replace(':00.000Z', ' UTC')}`);
    }
    return 0;
  },
};
