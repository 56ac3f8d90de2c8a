import { isWithin } from '../path-within.js';
import type { Problem } from '../problem.js';
import type { Project } from '../project/model.js';
import type { BlockRecord, RunRecord } from '../history/run-history.js';

/**
 * Where the latest run of each block failed, as problems at the line of the user's code (a Python
 * traceback's own frame, a TypeScript stack's, a SQL template's): the error stays in the editor
 * until the block runs again or its file changes (`changedSince`: edited in the editor, or saved
 * after the run ended).
 */
export function lastRunFailures(project: Project, runs: readonly RunRecord[], changedSince: (file: string, time: string) => boolean): Problem[] {
  const latest = new Map<string, { run: RunRecord; block: BlockRecord }>();
  for (const run of runs) {
    if (!project.pipelines.has(run.pipeline) || !run.endedAt) continue;
    for (const block of run.blocks.values()) {
      if (block.status === 'completed' || block.status === 'failed') latest.set(`${run.pipeline}\0${block.block}`, { run, block });
    }
  }
  const problems: Problem[] = [];
  for (const { run, block } of latest.values()) {
    const error = block.error;
    if (block.status !== 'failed' || !error?.file || !error.line || !isWithin(project.root, error.file)) continue;
    if (changedSince(error.file, run.endedAt!)) continue;
    const col = error.col ?? 1;
    problems.push({
      code: 'run-failed',
      severity: 'error',
      message: `${block.block} failed in run ${run.runId} (${run.pipeline}): ${error.message.split('\n')[0]}`,
      range: { file: error.file, start: { line: error.line, col }, end: { line: error.line, col: col + 1 } },
    });
  }
  return problems;
}
