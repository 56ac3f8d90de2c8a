import cronstrue from 'cronstrue';
import { CompletionItemKind, MarkupKind, type CompletionItem, type Hover } from 'vscode-languageserver';
import type { Pipeline, Project, Trigger } from '../runtime/project/model.js';
import { scheduleIntervalError } from '../runtime/project/schedule.js';
import { nextRunTimes, scheduleCron } from '../runtime/project/schedule-times.js';
import { keysAt, schemaAt, valuesAt } from './schema-lookup.js';
import { cursorInText } from './yaml-cursor.js';
import { pipelineFileOf } from '../runtime/project/pipeline-files.js';

/** The pipeline whose triggers.yaml is at `file`, if it is one. */
export function pipelineOfTriggersFile(project: Project, file: string): Pipeline | undefined {
  const own = pipelineFileOf(project.root, file);
  return own?.kind === 'triggers' ? project.pipelines.get(own.pipeline) : undefined;
}

/** What Mage's presets mean (they are all in UTC unless the trigger sets a timezone). */
const PRESETS: Record<string, string> = {
  '@once': 'Once, at start_time',
  '@hourly': 'Every hour, on the hour',
  '@daily': 'Every day at 00:00',
  '@weekly': 'Every Monday at 00:00',
  '@monthly': 'On the 1st of every month at 00:00',
  '@always_on': 'Always: a new run as soon as the last one ends',
};

/** Completion in a triggers.yaml: values the schema lists (schedules, statuses...) and keys. */
export function completeTriggers(text: string, offset: number): CompletionItem[] {
  const lines = text.slice(0, offset).split('\n');
  const before = lines[lines.length - 1];
  const value = /^\s*(?:-\s+)?([a-z_]+)\s*:\s*['"]?([@\w -]*)$/.exec(before);
  if (value) {
    const inSettings = /^\s{4,}/.test(before) && !before.trimStart().startsWith('-');
    const path = inSettings ? ['triggers', 0, 'settings', value[1]] : ['triggers', 0, value[1]];
    const schema = schemaAt('triggers', path) as { type?: string | string[] } | undefined;
    const values = valuesAt('triggers', path);
    const booleans = [schema?.type].flat().includes('boolean') ? ['true', 'false'] : [];
    return [...values, ...booleans].map((v) => ({
      label: v,
      kind: CompletionItemKind.EnumMember,
      // A schedule starting with @ must be quoted in YAML (Mage quotes them all); unless a quote is typed.
      ...(value[1] === 'schedule_interval' ? { detail: PRESETS[v] ?? describeCron(v), insertText: /:\s*['"]/.test(before) ? v : `'${v}'`, filterText: v } : {}),
    }));
  }
  if (/^\s*(?:-\s+)?[a-z_]*$/.test(before)) {
    const indent = before.length - before.trimStart().length + (before.trimStart().startsWith('-') ? 2 : 0);
    const path = indent >= 4 ? ['triggers', 0, 'settings'] : indent >= 2 || before.trimStart().startsWith('-') ? ['triggers', 0] : [];
    return keysAt('triggers', path).map(({ key, description }) => ({ label: key, kind: CompletionItemKind.Property, insertText: `${key}: `, documentation: description }));
  }
  return [];
}

function describeCron(cron: string): string | undefined {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true });
  } catch {
    return undefined;
  }
}

/** What a trigger's schedule means, in words, with its next run times. */
function scheduleDoc(trigger: Trigger): string {
  const interval = trigger.scheduleInterval?.trim() ?? '';
  const error = scheduleIntervalError(interval);
  if (error) return error;
  const zone = trigger.timezone ?? 'UTC';
  const cron = scheduleCron(trigger);
  const landing = trigger.settings.landing_time_enabled === true && cron && interval.startsWith('@');
  const words = landing ? `${describeCron(cron!)} (landing time: runs finish by then)` : (PRESETS[interval] ?? describeCron(interval) ?? interval);
  const lines = [`**${interval}** · ${words}${interval === '@always_on' ? '' : `, ${zone}`}`];
  if (cron && cron !== interval) lines.push(`As cron: \`${cron}\``);
  if (trigger.status !== 'active') lines.push(`The trigger is ${trigger.status}: it does not run until its status is active.`);
  const next = nextRunTimes(trigger, new Date(), 3);
  if (next.length > 0)
    lines.push(
      `Next: ${next
        .map((d) =>
          d
            .toISOString()
            .replace('T', ' ')
            .replace(/:00\.000Z$/, ' UTC'),
        )
        .join(', ')}`,
    );
  return lines.join('  \n');
}

/** Hover in a triggers.yaml: a schedule in words with its next runs, or a key's description. */
export function hoverTriggers(pipeline: Pipeline, text: string, offset: number): Hover | undefined {
  const cursor = cursorInText(text, offset);
  if (!cursor.scalar) return undefined;
  const last = cursor.path[cursor.path.length - 1];
  if (!cursor.onKey && last === 'schedule_interval' && typeof cursor.path[1] === 'number') {
    const trigger = pipeline.triggers.find((t) => t.path[1] === cursor.path[1]);
    if (trigger) return { contents: { kind: MarkupKind.Markdown, value: scheduleDoc(trigger) } };
  }
  const key = cursor.onKey ? String(cursor.scalar.value) : String(last);
  const description = schemaAt('triggers', cursor.path)?.description;
  return description ? { contents: { kind: MarkupKind.Markdown, value: `**${key}**: ${description}` } } : undefined;
}
