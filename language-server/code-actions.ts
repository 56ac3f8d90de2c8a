import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ProblemFix } from '../runtime/problem.js';
import { isBlockLanguage } from '../runtime/project/block-kinds.js';
import type { ProjectHost } from '../runtime/project/host.js';
import { addLinkToText } from '../runtime/scaffold/add-block.js';
import { blockTemplate, TEMPLATE_LANGUAGES, TEMPLATE_TYPES, type TemplateType } from '../runtime/scaffold/block-templates.js';
import { toRange } from './lsp-diagnostic.js';

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The end of a text, as an LSP position. */
function endOf(text: string): Range['end'] {
  return TextDocument.create('', '', 0, text).positionAt(text.length);
}

/** A value as a line of a .env file, quoted when it has to be. */
function envLine(name: string, value: string): string {
  if (/^[^\s#'"\\]*$/.test(value)) return `${name}=${value}`;
  if (!value.includes("'") && !value.includes('\n')) return `${name}='${value}'`;
  return `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function quickFix(title: string, diagnostic: Diagnostic, edit: WorkspaceEdit): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit };
}

/** The quick fix of one diagnostic, from the fix its problem carries. */
function fixOf(diagnostic: Diagnostic, uri: string, host: ProjectHost, root: string | undefined): CodeAction | undefined {
  const fix = diagnostic.data as ProblemFix | undefined;
  switch (fix?.kind) {
    case 'quote-env-var':
      return quickFix(`Quote the variable name: env_var('${fix.name}')`, diagnostic, { changes: { [uri]: [{ range: diagnostic.range, newText: `'${fix.name}'` }] } });
    case 'sql-literal':
      return quickFix(`Pass the value as a quoted SQL literal: ${fix.text}`, diagnostic, { changes: { [uri]: [{ range: diagnostic.range, newText: fix.text }] } });
    case 'create-block-file': {
      if (!(TEMPLATE_TYPES as readonly string[]).includes(fix.type) || !isBlockLanguage(fix.language) || !TEMPLATE_LANGUAGES.includes(fix.language)) return undefined;
      const target = pathToFileURL(fix.file).href;
      const text = blockTemplate(fix.type as TemplateType, fix.language, { upstream: fix.upstream });
      return quickFix(`Create ${root ? relative(root, fix.file) : fix.file} from the ${fix.type} template`, diagnostic, {
        documentChanges: [
          { kind: 'create', uri: target, options: { ignoreIfExists: true } },
          { textDocument: { uri: target, version: null }, edits: [{ range: START, newText: text }] },
        ],
      });
    }
    case 'add-link': {
      const text = host.readFile(fix.file);
      const updated = text === undefined ? undefined : addLinkToText(text, fix.block, fix.key, fix.uuid);
      if (text === undefined || updated === undefined) return undefined;
      return quickFix(`Add "${fix.uuid}" to ${fix.key} of "${fix.block}"`, diagnostic, {
        changes: { [pathToFileURL(fix.file).href]: [{ range: { start: { line: 0, character: 0 }, end: endOf(text) }, newText: updated }] },
      });
    }
    case 'env-var-secret': {
      const secretEdit: TextEdit = { range: toRange(fix.valueRange), newText: `"{{ env_var('${fix.name}') }}"` };
      const changes: NonNullable<WorkspaceEdit['documentChanges']> = [{ textDocument: { uri, version: null }, edits: [secretEdit] }];
      if (fix.value === undefined) return quickFix(`Read the value with env_var('${fix.name}'), which the project's .env already gives`, diagnostic, { documentChanges: changes });
      const envUri = pathToFileURL(fix.envFile).href;
      const envText = host.readFile(fix.envFile);
      const line = `${envLine(fix.name, fix.value)}\n`;
      if (envText === undefined) changes.push({ kind: 'create', uri: envUri, options: { ignoreIfExists: true } });
      const end = endOf(envText ?? '');
      changes.push({ textDocument: { uri: envUri, version: null }, edits: [{ range: { start: end, end }, newText: envText && !envText.endsWith('\n') ? `\n${line}` : line }] });
      return quickFix(`Move the value to .env as ${fix.name} and read it with env_var`, diagnostic, { documentChanges: changes });
    }
    default:
      return undefined;
  }
}

/** Quick fixes for the diagnostics of a code action request. */
export function codeActions(diagnostics: Diagnostic[], uri: string, host: ProjectHost, root: string | undefined): CodeAction[] {
  return diagnostics.filter((d) => d.source === 'pipewright').flatMap((d) => fixOf(d, uri, host, root) ?? []);
}
