import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Connection } from 'vscode-languageserver';
import { checkBlockFile, orphanHint } from '../runtime/validate/check-block-code.js';
import type { Problem } from '../runtime/problem.js';
import type { ProjectHost } from '../runtime/project/host.js';
import { findProjectRoot, loadProject, reloadPipeline } from '../runtime/project/load-project.js';
import type { Project } from '../runtime/project/model.js';
import { validatePipelineFolder, validateRootFiles } from '../runtime/validate/validate-project.js';
import { diagnosticsByUri, LARGE_DOCUMENT } from './lsp-diagnostic.js';
import type { Models } from './models.js';
import { checkWholeProject } from './project-check.js';
import type { CheckRequest, CheckResult } from '../runtime/protocol.js';
import { pipelineFileOf } from '../runtime/project/pipeline-files.js';
import { historyFile } from '../runtime/layout.js';

/** What a change of one file is, for the checks it needs at once. */
type Place = { kind: 'pipeline'; dir: string } | { kind: 'root' } | { kind: 'block' } | { kind: 'history' } | { kind: 'other' };

function placeOf(root: string, file: string): Place {
  const dir = dirname(file);
  if (pipelineFileOf(root, file)) return { kind: 'pipeline', dir };
  // A run wrote to the history: where it failed shows in the block files (the model is unchanged).
  if (file === historyFile(root)) return { kind: 'history' };
  if (dir === root && ['io_config.yaml', 'metadata.yaml', '.env', 'dev.env'].includes(basename(file))) return { kind: 'root' };
  if (/\.(ts|sql|py)$/.test(file)) return { kind: 'block' };
  return { kind: 'other' };
}

/**
 * The diagnostics of the open projects. A change gets the diagnostics of its own file at once, from
 * the part of the project they depend on (one pipeline's folder, the project's own files, one block
 * file against the kept model); the whole project, which one edit can affect anywhere, is checked
 * once typing pauses, on a thread of its own so that edits and requests never wait for it.
 */
export class Diagnostics {
  /** Every change of any text; a whole-project check that saw fewer is out of date when it ends. */
  #edits = 0;
  readonly #published = new Map<string, Set<string>>();
  readonly #pending = new Map<string, NodeJS.Timeout>();
  readonly #queued = new Set<string>();
  #running?: { root: string; id: number; edits: number };
  #worker?: Worker;
  #ids = 0;

  constructor(
    private readonly connection: Connection,
    private readonly host: ProjectHost,
    private readonly models: Models,
    private readonly openTexts: () => ReadonlyMap<string, string>,
  ) {}

  /** A document was opened, edited or closed, or a file changed on disk; `text` is the document's text now, if open. */
  changed(uri: string, options: { edit?: boolean; sameAsDisk?: boolean } = {}): void {
    this.#edits++;
    if (!uri.startsWith('file:')) return;
    const file = fileURLToPath(uri);
    const root = findProjectRoot(dirname(file), this.host);
    if (!root) {
      this.models.changed();
      return;
    }
    const place = placeOf(root, file);
    // Opening a saved file changes nothing the models hold; editing a block file's code neither, once the model knows the file.
    const before = this.models.current(root);
    const keepsModel = options.sameAsDisk || place.kind === 'history' || (place.kind === 'block' && options.edit && before?.blockUses.has(file));
    if (!keepsModel) this.models.changed();
    let quick = false;
    try {
      quick = this.#quick(root, file, place, before, keepsModel === true);
    } catch (error) {
      this.connection.console.error(`Cannot check ${file}: ${(error as Error).stack ?? String(error)}`);
    }
    clearTimeout(this.#pending.get(root));
    this.#pending.set(
      root,
      setTimeout(
        () => {
          this.#pending.delete(root);
          this.#queued.add(root);
          this.#next();
        },
        // A run appends to the history many times: its failures are checked once it pauses.
        place.kind === 'history' ? 1000 : quick ? 400 : 120,
      ),
    );
  }

  /** The changed file's own diagnostics, at once; false when they wait for the whole project. */
  #quick(root: string, file: string, place: Place, before: Project | undefined, kept: boolean): boolean {
    // A very large file is checked on the checking thread only: this thread keeps answering.
    if ((this.openTexts().get(file)?.length ?? 0) > LARGE_DOCUMENT) return false;
    if (place.kind === 'pipeline') {
      // The model kept up to date when it was current, else only the project's files and this pipeline.
      const project = before && !kept ? reloadPipeline(before, place.dir, this.host) : (before ?? loadProject(root, { host: this.host, pipelineDirs: [place.dir] }));
      if (before && !kept) this.models.replace(root, project);
      this.#publish(root, validatePipelineFolder(project, place.dir), [join(place.dir, 'metadata.yaml'), join(place.dir, 'triggers.yaml')], place.dir);
      return true;
    }
    if (place.kind === 'root') {
      const project = before && kept ? before : loadProject(root, { host: this.host, pipelineDirs: [] });
      this.#publish(root, validateRootFiles(project), [join(root, 'io_config.yaml'), join(root, 'metadata.yaml')], root);
      return true;
    }
    const project = this.models.current(root);
    if (place.kind !== 'block' || !project) return false;
    const text = this.host.readFile(file);
    if (text === undefined) return false;
    this.#publish(root, [...checkBlockFile(project, file, text), ...orphanHint(project, file)], [file]);
    return true;
  }

  /**
   * Publishes the problems of some files: `files` always get their diagnostics (empty when clean), and
   * so does every file of `folder` that had some before.
   */
  #publish(root: string, problems: Problem[], files: string[], folder?: string): void {
    const byUri = diagnosticsByUri(problems);
    const published = this.#published.get(root) ?? new Set<string>();
    this.#published.set(root, published);
    const uris = new Set([...files.map((f) => pathToFileURL(f).href), ...byUri.keys()]);
    if (folder) for (const uri of published) if (dirname(fileURLToPath(uri)) === folder) uris.add(uri);
    for (const uri of uris) {
      const diagnostics = byUri.get(uri) ?? [];
      this.connection.sendDiagnostics({ uri, diagnostics });
      if (diagnostics.length > 0) published.add(uri);
      else published.delete(uri);
    }
  }

  /** Starts the next whole-project check, one at a time. */
  #next(): void {
    const root = this.#queued.values().next().value;
    if (this.#running || root === undefined) return;
    this.#queued.delete(root);
    const request: CheckRequest = { id: ++this.#ids, root, documents: [...this.openTexts()] };
    this.#running = { root, id: request.id, edits: this.#edits };
    const worker = this.#checker();
    if (worker) worker.postMessage(request);
    else setImmediate(() => this.#finished(checkWholeProject(request)));
  }

  #finished(result: CheckResult): void {
    const running = this.#running;
    if (!running || running.id !== result.id) return;
    this.#running = undefined;
    if ('error' in result) this.connection.console.error(`Cannot check ${running.root}: ${result.error}`);
    // A check that began before the latest change says nothing reliable; the change has queued another.
    else if (running.edits === this.#edits) this.#publishProject(running.root, result.problems);
    this.#next();
  }

  #publishProject(root: string, problems: Problem[]): void {
    const byUri = diagnosticsByUri(problems);
    for (const uri of this.#published.get(root) ?? []) if (!byUri.has(uri)) this.connection.sendDiagnostics({ uri, diagnostics: [] });
    for (const [uri, diagnostics] of byUri) this.connection.sendDiagnostics({ uri, diagnostics });
    this.#published.set(root, new Set(byUri.keys()));
  }

  /** The checking thread (dist/language-server-check.js beside the server); none when run from source. */
  #checker(): Worker | undefined {
    if (this.#worker) return this.#worker;
    const script = join(typeof __dirname === 'string' ? __dirname : '', 'language-server-check.js');
    if (!existsSync(script)) return undefined;
    const worker = new Worker(script);
    worker.unref();
    worker.on('message', (result: CheckResult) => this.#finished(result));
    worker.on('error', (error) => {
      this.connection.console.error(`The checking thread failed: ${error.stack ?? error.message}`);
      this.#worker = undefined;
      if (this.#running) this.#finished({ id: this.#running.id, error: error.message });
    });
    this.#worker = worker;
    return worker;
  }
}
