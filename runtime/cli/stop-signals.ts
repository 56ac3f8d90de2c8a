/**
 * A signal that reaches a process twice within this time is one request. Ctrl-C, or `kill -INT`
 * of the process group, reaches both bin/pipewright.js and the CLI it started, and the launcher
 * passes it on when stdin is not a terminal: without this the CLI saw two, and "twice means now"
 * cancelled the scheduler's running runs, or exited a run at once, instead of stopping cleanly.
 */
const SAME_REQUEST_MS = 500;

/**
 * Calls `onStop` for each request to stop (SIGINT, SIGTERM, SIGHUP) with how many there have been,
 * a repeated delivery of one signal counted once. Returns the function that stops listening.
 */
export function onStopSignals(onStop: (count: number, signal: NodeJS.Signals) => void): () => void {
  let count = 0;
  let last = -Infinity;
  const handler = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (now - last < SAME_REQUEST_MS) return;
    last = now;
    count++;
    onStop(count, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
