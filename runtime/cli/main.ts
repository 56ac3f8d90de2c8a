import { type Invocation, parseVerbArgs, type Verb, verbHelp } from './command.js';
import { useColor } from './output.js';
import { backfillVerb } from './verb-backfill.js';
import { dbVerb } from './verb-db.js';
import { graphVerb } from './verb-graph.js';
import { newVerb } from './verb-new.js';
import { sampleVerb } from './verb-sample.js';
import { previewVerb } from './verb-preview.js';
import { profilesVerb } from './verb-profiles.js';
import { runVerb } from './verb-run.js';
import { lspVerb } from './verb-lsp.js';
import { logsVerb, runsVerb } from './verb-runs.js';
import { schedulerVerb } from './verb-scheduler.js';
import { triggersVerb } from './verb-triggers.js';
import { validateVerb } from './verb-validate.js';
import { pipewrightVersion } from '../version.js';

/** Every verb of the CLI, in the order --help lists them. */
export const VERBS: Verb[] = [
  runVerb,
  backfillVerb,
  triggersVerb,
  schedulerVerb,
  runsVerb,
  logsVerb,
  previewVerb,
  validateVerb,
  graphVerb,
  profilesVerb,
  dbVerb,
  newVerb,
  sampleVerb,
  lspVerb,
];

function mainHelp(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return [
    'Usage: pipewright <command> [options]',
    '',
    "Data pipelines in Mage's project layout, with TypeScript and SQL blocks.",
    '',
    'Commands:',
    ...VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    'Every command takes --help, and --project DIR where it works on a project.',
  ].join('\n');
}

/** Runs the CLI with the given arguments; resolves to the exit code. */
export async function main(args: string[], io: Partial<Pick<Invocation, 'out' | 'err' | 'cwd'>> = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    out(pipewrightVersion ?? 'dev');
    return 0;
  }
  const verb = VERBS.find((v) => v.name === name);
  if (!verb) {
    err(`error: Unknown command "${name}": run pipewright --help for the list`);
    return 2;
  }
  let parsed: ReturnType<typeof parseVerbArgs>;
  try {
    parsed = parseVerbArgs(verb, rest);
  } catch (error) {
    err(`error: ${(error as Error).message.replace(/\. To specify.*$/s, '')}: see pipewright ${verb.name} --help`);
    return 2;
  }
  if (parsed.flags.help) {
    out(verbHelp(verb));
    return 0;
  }
  const color = useColor(process.stdout, process.env);
  return verb.run({ ...parsed, out, err, cwd: io.cwd ?? process.cwd(), color });
}
