import { parseArgs } from 'node:util';

/** One flag of a verb; the table drives parsing and --help alike. */
export interface Flag {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  multiple?: boolean;
  /** Shown in --help as `--flag VALUE`. */
  value?: string;
}

/** What a verb's handler gets: its positionals, its flags, and where to write. */
export interface Invocation {
  positionals: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  cwd: string;
  color: boolean;
}

/** A CLI verb: `pipewright <name> ...`. Handlers return the exit code. */
export interface Verb {
  name: string;
  summary: string;
  usage: string;
  /** Longer help shown under the usage line. */
  details?: string;
  flags: Record<string, Flag>;
  run(invocation: Invocation): Promise<number> | number;
}

/** The flag every verb takes. */
export const PROJECT_FLAG: Flag = {
  type: 'string',
  value: 'DIR',
  description: 'The project folder (default: the nearest folder upwards holding io_config.yaml or metadata.yaml)',
};

/** The --profile flag of the verbs that run blocks. */
export const PROFILE_FLAG: Flag = {
  type: 'string',
  value: 'NAME',
  description: 'The io_config.yaml profile (default: $PIPEWRIGHT_PROFILE, else default)',
};

/** The profile a run uses: --profile, else PIPEWRIGHT_PROFILE (a dev container sets it), else default. */
export function profileOf(invocation: Invocation): string {
  return (invocation.flags.profile as string | undefined) ?? (process.env.PIPEWRIGHT_PROFILE || 'default');
}

/** Parses a verb's arguments; unknown flags are an error that names them. */
export function parseVerbArgs(verb: Verb, args: string[]): { positionals: string[]; flags: Invocation['flags'] } {
  const options = Object.fromEntries(
    Object.entries({ ...verb.flags, help: { type: 'boolean', short: 'h', description: '' } as Flag }).map(([name, flag]) => [
      name,
      { type: flag.type, ...(flag.short ? { short: flag.short } : {}), ...(flag.multiple ? { multiple: true } : {}) },
    ]),
  );
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  return { positionals, flags: values as Invocation['flags'] };
}

/** The --help text of a verb, generated from its flag table. */
export function verbHelp(verb: Verb): string {
  const lines = [`Usage: ${verb.usage}`, '', verb.summary];
  if (verb.details) lines.push('', verb.details);
  const rows = Object.entries(verb.flags).map(([name, flag]) => [`${flag.short ? `-${flag.short}, ` : ''}--${name}${flag.value ? ` ${flag.value}` : ''}`, flag.description]);
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([label]) => label.length));
  lines.push('', 'Options:', ...rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`));
  return lines.join('\n');
}
