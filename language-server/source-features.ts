import { CompletionItemKind, MarkupKind, type CompletionItem } from 'vscode-languageserver';
import { RUN_VARIABLES, upstreamView } from '../runtime/template/names.js';
import type { Project } from '../runtime/project/model.js';
import { keysAt } from './schema-lookup.js';

/** Names of the project's .env and dev.env, for `env_var('` in any file. */
function envVarNames(project: Project): CompletionItem[] {
  return [...project.dotenv.keys()].sort().map((name) => ({ label: name, kind: CompletionItemKind.Variable, detail: "from the project's .env or dev.env" }));
}

/** The text of the cursor's line up to the cursor. */
function lineBefore(text: string, offset: number): string {
  return text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);
}

/** Completion in io_config.yaml: variable names inside env_var('...'), and a profile's setting keys. */
export function completeIoConfig(project: Project, text: string, offset: number): CompletionItem[] {
  const before = lineBefore(text, offset);
  if (/env_var\(\s*['"][\w]*$/.test(before)) return envVarNames(project);
  if (/^\s+[A-Za-z_]*$/.test(before)) {
    return keysAt('ioConfig', ['profile']).map(({ key, description }) => ({ label: key, kind: CompletionItemKind.Property, insertText: `${key}: `, documentation: description }));
  }
  return [];
}

/** Completion in a SQL block inside `{{ }}`: its upstream outputs, the run's variables, variables('x') and env_var('X'). */
export function completeSql(project: Project, file: string, text: string, offset: number): CompletionItem[] {
  const before = lineBefore(text, offset);
  if (/env_var\(\s*['"][\w]*$/.test(before)) return envVarNames(project);
  const uses = (project.blockUses.get(file) ?? []).flatMap((use) => {
    const pipeline = project.pipelines.get(use.pipeline);
    const block = pipeline?.blocks.find((b) => b.uuid === use.block);
    return pipeline && block ? [{ pipeline, block }] : [];
  });
  if (/variables\(\s*['"][\w]*$/.test(before)) {
    const names = new Set(uses.flatMap(({ pipeline }) => [...Object.keys(pipeline.variables), ...pipeline.triggers.flatMap((t) => Object.keys(t.variables))]));
    return [...names].sort().map((name) => ({ label: name, kind: CompletionItemKind.Variable, detail: 'a variable of the pipeline or its triggers' }));
  }
  if (!/\{\{\s*[\w]*$/.test(before)) return [];
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  const add = (item: CompletionItem) => {
    if (seen.has(item.label)) return;
    seen.add(item.label);
    items.push(item);
  };
  for (const { pipeline, block } of uses) {
    block.upstream.forEach((uuid, index) => {
      const upstream = pipeline.blocks.find((b) => b.uuid === uuid);
      const what = `the output of ${uuid}${upstream ? ` (${upstream.type})` : ''}${uses.length > 1 ? ` in ${pipeline.uuid}` : ''}`;
      add({ label: upstreamView(index), kind: CompletionItemKind.Reference, detail: what, sortText: `0${index}` });
      add({ label: uuid, kind: CompletionItemKind.Reference, detail: what, sortText: `1${index}` });
    });
  }
  for (const [name, description] of Object.entries(RUN_VARIABLES)) add({ label: name, kind: CompletionItemKind.Variable, detail: description, sortText: `2${name}` });
  for (const { pipeline } of uses) {
    for (const name of Object.keys(pipeline.variables)) add({ label: name, kind: CompletionItemKind.Variable, detail: `a variable of ${pipeline.uuid}`, sortText: `3${name}` });
  }
  add({ label: "variables('')", kind: CompletionItemKind.Function, insertText: "variables('$1')", insertTextFormat: 2, detail: 'A variable by name', sortText: '4v' });
  add({
    label: "env_var('')",
    kind: CompletionItemKind.Function,
    insertText: "env_var('$1')",
    insertTextFormat: 2,
    detail: 'An environment variable (the environment, .env, dev.env)',
    sortText: '4e',
  });
  return items.map((item) => (item.detail ? { ...item, documentation: { kind: MarkupKind.PlainText, value: item.detail } } : item));
}

/** Profile names of io_config.yaml, for a block's data_provider_profile. */
export function profileNames(project: Project): CompletionItem[] {
  return [...(project.ioConfig?.profiles.keys() ?? [])].map((name) => ({ label: name, kind: CompletionItemKind.Module, detail: 'io_config.yaml profile' }));
}
