import { main } from './main.js';

// A reader that stops early (`pipewright graph p | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// Started again by bin/pipewright.js (see there): if that launcher is killed outright (SIGKILL, so it
// could pass nothing on), this process stops as it would on SIGTERM: a run is cancelled cleanly
// and its history says what happened. (It used to kill itself, and an export whose COMMIT was
// under way could land while the history said interrupted.)
const launcher = Number(process.env.PIPEWRIGHT_LAUNCHER_PID);
if (launcher) {
  delete process.env.PIPEWRIGHT_LAUNCHER_PID;
  const watch = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 200).unref();
}

// The CLI's process entry: exit codes are set, never forced, so pending output is flushed first.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pipewright: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
