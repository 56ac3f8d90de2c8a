/**
 * Every message that crosses a process boundary: webview messages now; run events and the
 * pipewright/... LSP methods join as they are built. Each case says who sends it, to whom, and when.
 */

/** A block as the DAG webview draws it. */
export interface DagBlock {
  uuid: string;
  name: string;
  type: string;
  language: string;
  upstream: string[];
}

/** Messages from the extension host to the DAG webview. */
export type HostToWebview =
  /** Host → webview, when the panel opens and whenever the pipeline's files change: the graph to draw. */
  { kind: 'graph'; pipeline: string; blocks: DagBlock[]; order: string[]; cycle: string[] | null };

/** Messages from the DAG webview to the extension host. */
export type WebviewToHost =
  /** Webview → host, when the user activates a block: open its file. */
  | { kind: 'openBlock'; uuid: string }
  /** Webview → host, once its script has loaded: send the graph. */
  | { kind: 'ready' };

/** Checks a message from the webview, which the host must not trust. */
export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (value === null || typeof value !== 'object') return false;
  const message = value as Record<string, unknown>;
  if (message.kind === 'ready') return true;
  return message.kind === 'openBlock' && typeof message.uuid === 'string';
}

/** Checks a message from the host in the webview. */
export function isHostToWebview(value: unknown): value is HostToWebview {
  if (value === null || typeof value !== 'object') return false;
  const message = value as Record<string, unknown>;
  return message.kind === 'graph' && typeof message.pipeline === 'string' && Array.isArray(message.blocks) && Array.isArray(message.order);
}
