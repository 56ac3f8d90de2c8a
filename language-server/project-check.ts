import { parentPort } from 'node:worker_threads';
import { loadProject } from '../runtime/project/load-project.js';
import { validateProject } from '../runtime/validate/validate-project.js';
import { overlayHost } from './overlay-host.js';

import type { CheckRequest, CheckResult } from '../runtime/protocol.js';

/** Loads and checks a whole project: what the checking thread does, and the server itself without one. */
export function checkWholeProject(request: CheckRequest): CheckResult {
  const documents = new Map(request.documents);
  const host = overlayHost(() => documents);
  try {
    return { id: request.id, problems: validateProject(loadProject(request.root, { host }), { host }) };
  } catch (error) {
    return { id: request.id, error: (error as Error).stack ?? String(error) };
  }
}

// The checking thread (dist/language-server-check.js): a whole project takes up to a second on big
// projects, which must not hold up the answers to edits and requests.
parentPort?.on('message', (request: CheckRequest) => parentPort!.postMessage(checkWholeProject(request)));
