import { statSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { loadProject } from '../runtime/project/load-project.js';
import { validateProject } from '../runtime/validate/validate-project.js';
import { overlayHost } from './overlay-host.js';
import { runsOf } from './run-status.js';
import { lastRunFailures } from '../runtime/validate/run-failures.js';
import { diskHost } from '../runtime/project/host.js';

/** Whether a file differs from what a run that ended at `time` ran: edited in the editor, or saved since. */
function changedSince(documents: ReadonlyMap<string, string>): (file: string, time: string) => boolean {
  return (file, time) => {
    const open = documents.get(file);
    if (open !== undefined && open !== diskHost.readFile(file)) return true;
    try {
      return statSync(file).mtimeMs > Date.parse(time);
    } catch {
      return true;
    }
  };
}

import type { CheckRequest, CheckResult } from '../runtime/protocol.js';

/** Loads and checks a whole project: what the checking thread does, and the server itself without one. */
export function checkWholeProject(request: CheckRequest): CheckResult {
  const documents = new Map(request.documents);
  const host = overlayHost(() => documents);
  try {
    const project = loadProject(request.root, { host });
    return { id: request.id, problems: [...validateProject(project, { host }), ...lastRunFailures(project, runsOf(request.root), changedSince(documents))] };
  } catch (error) {
    return { id: request.id, error: (error as Error).stack ?? String(error) };
  }
}

// The checking thread (dist/language-server-check.js): a whole project takes up to a second on big
// projects, which must not hold up the answers to edits and requests.
parentPort?.on('message', (request: CheckRequest) => parentPort!.postMessage(checkWholeProject(request)));
