#!/usr/bin/env node
// The pipewright command: runs the bundled CLI that `npm ci` builds (the package's prepare script).
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`pipewright: ${cli} is missing: run "npm run build" in ${join(__dirname, '..')}\n`);
  process.exit(70);
}

// Verbs that run blocks. Each block runs in a fresh worker thread with its own DuckDB, and glibc gives
// new threads new malloc arenas, so memory a finished block freed stays in the process: measured on
// the taxi month, peak RSS 330–510 MB with glibc's default arena count, 300–390 MB with two. glibc
// reads MALLOC_ARENA_MAX only when a process starts, so these verbs start the CLI again with it set.
const RUNS_BLOCKS = new Set(['run', 'backfill', 'scheduler']);
if (process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined && RUNS_BLOCKS.has(process.argv[2])) {
  const child = spawn(process.execPath, [...process.execArgv, cli, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, MALLOC_ARENA_MAX: '2', PIPEWRIGHT_LAUNCHER_PID: String(process.pid) },
  });
  // Ctrl-C in a terminal reaches the child already (same foreground process group), and a second
  // SIGINT would make it exit at once instead of cancelling cleanly, so from a terminal only other
  // signals are passed on. Without a terminal (an editor or a test stopping the run), all of them.
  const fromTerminal = Boolean(process.stdin.isTTY);
  const forward = (signal) => {
    if (child.exitCode === null && !(signal === 'SIGINT' && fromTerminal)) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
} else {
  require(cli);
}
