import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Identifies a process across PID reuse: host, PID and (on Linux) its start time since boot. */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** Clock ticks since boot when the process started, from /proc; absent elsewhere. */
  started?: number;
}

function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** This process's identity. */
export function currentProcess(): ProcessIdentity {
  return { host: hostname(), pid: process.pid, started: startTicks(process.pid) };
}

/**
 * Whether the process that wrote a run is certainly gone: same host, and its PID is free or now
 * belongs to a process that started at another time. A run on another host is never judged.
 */
export function isGone(identity: ProcessIdentity): boolean {
  if (identity.host !== hostname()) return false;
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const started = startTicks(identity.pid);
  return identity.started !== undefined && started !== undefined && started !== identity.started;
}
