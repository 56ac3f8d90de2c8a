import { resolve } from 'node:path';
import { findProjectRoot } from '../project/load-project.js';
import type { Invocation } from './command.js';

/** The project folder a verb works on: `--project`, else a positional, else the nearest one upwards. */
export function projectDir(invocation: Invocation, positional?: string): string | undefined {
  const given = (invocation.flags.project as string | undefined) ?? positional;
  if (given) return resolve(invocation.cwd, given);
  return findProjectRoot(invocation.cwd);
}

/** Says that no project was found, with what to do about it. */
export function noProject(invocation: Invocation): number {
  invocation.err(`error: No Pipewright project in ${invocation.cwd} or above: pass --project DIR, or create one with "pipewright new project <name>"`);
  return 2;
}
