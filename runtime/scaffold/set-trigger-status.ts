import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import { writeFileAtomic } from '../project/write-file.js';

/**
 * Turns a trigger on or off: sets its `status` in pipelines/<pipeline>/triggers.yaml, keeping the
 * file's comments and formatting, written atomically. Returns false when it already had that status
 * (the file is then not touched).
 */
export function setTriggerStatus(root: string, target: { pipeline: string; trigger: string; status: 'active' | 'inactive' }): boolean {
  const path = join(root, 'pipelines', target.pipeline, 'triggers.yaml');
  const shown = relative(root, path);
  if (!existsSync(path)) throw new Error(`Cannot find ${shown}: pipeline "${target.pipeline}" has no triggers`);
  const text = readFileSync(path, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`Cannot change ${shown}: it has YAML errors; run "pipewright validate"`);
  const list: unknown = doc.get('triggers', true);
  const entries = isSeq(list) ? (list.items.filter(isMap) as YAMLMap[]) : [];
  const entry = entries.find((e) => String(e.get('name')) === target.trigger);
  if (!entry) {
    const names = entries.map((e) => String(e.get('name')));
    throw new Error(`Cannot find trigger "${target.trigger}" in ${shown} (triggers: ${names.join(', ') || 'none'})`);
  }
  if (entry.get('status') === target.status) return false;
  writeFileAtomic(path, withStatus(text, doc, entry, target.status));
  return true;
}

/**
 * The file with the trigger's status changed in place: only the status value's bytes are replaced
 * (or one `status:` line added under `name:`), so comments, spacing and flow maps stay as written.
 * A trigger written as one flow map is re-printed by the YAML library instead.
 */
function withStatus(text: string, doc: Document, entry: YAMLMap, status: string): string {
  const current: unknown = entry.get('status', true);
  if (isScalar(current) && current.range) return text.slice(0, current.range[0]) + status + text.slice(current.range[1]);
  const name = entry.items.find((pair) => isScalar(pair.key) && pair.key.value === 'name');
  if (!entry.flow && name && isScalar(name.key) && name.key.range && isScalar(name.value) && name.value.range) {
    // The new key goes on its own line below `name:`, at the same column (after `- ` when name is first).
    const column = name.key.range[0] - (text.lastIndexOf('\n', name.key.range[0] - 1) + 1);
    const lineEnd = text.indexOf('\n', name.value.range[1]);
    const at = lineEnd === -1 ? text.length : lineEnd;
    return `${text.slice(0, at)}\n${' '.repeat(column)}status: ${status}${text.slice(at)}`;
  }
  entry.set('status', status);
  return doc.toString();
}
