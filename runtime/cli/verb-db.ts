import { EmbeddedPostgres } from '../connectors/embedded-postgres.js';
import { PROJECT_FLAG, type Verb } from './command.js';
import { noProject, projectDir } from './project-arg.js';

/** `pipewright db stop`: stops the project's embedded PostgreSQL. */
export const dbVerb: Verb = {
  name: 'db',
  summary: "Manage the project's embedded PostgreSQL: db stop.",
  usage: 'pipewright db stop',
  details:
    'The embedded PostgreSQL (profiles with PIPEWRIGHT_EMBEDDED: true) starts when a block needs it and stops when the last run, backfill or scheduler using it ends; a server a killed run left behind is stopped by the next run that uses it. db stop stops it now (its data stays in .pipewright/postgres).',
  flags: { project: PROJECT_FLAG },
  async run(invocation) {
    const [action] = invocation.positionals;
    if (action !== 'stop') {
      invocation.err(`error: ${action ? `Unknown action "${action}"` : 'Say what to do'}: pipewright db stop`);
      return 2;
    }
    const root = projectDir(invocation);
    if (!root) return noProject(invocation);
    try {
      const { stopped, users } = await new EmbeddedPostgres(root).stopNow();
      if (!stopped) invocation.out('The embedded PostgreSQL of this project is not running');
      else
        invocation.out(
          `Stopped the embedded PostgreSQL${users > 0 ? `; ${users} running Pipewright process${users === 1 ? ' was' : 'es were'} using it, and their blocks that use it will fail` : ''}`,
        );
      return 0;
    } catch (error) {
      invocation.err(`error: ${(error as Error).message}`);
      return 1;
    }
  },
};
