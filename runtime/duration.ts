/**
 * A duration as every surface shows it (the terminal, the tree, hovers, notifications): seconds with
 * one decimal, or minutes and seconds from a minute on. (The DAG webview, which may import only the
 * protocol, writes the same "1.2 s" form itself.)
 */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
