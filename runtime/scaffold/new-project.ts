import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBlockTypes, PROJECT_TSCONFIG } from '../project/block-types.js';
import { createFile } from '../project/write-file.js';
import { addDevContainer, DEV_CONTAINER_DEV_ENV, DEV_CONTAINER_PROFILE, devProfileText } from './dev-container.js';

const ioConfig = (devProfile: string) => `version: 0.1.1
# Profiles hold connection settings; choose one with --profile NAME.
# Values can read the environment and the project's .env: {{ env_var('NAME') }}.
default:
  # Pipewright's embedded services: a PostgreSQL it starts itself, a local bucket and a local
  # warehouse, all kept in .pipewright/. Nothing to install.
  PIPEWRIGHT_EMBEDDED: true
${devProfile}`;

/** The committed defaults of the dev profile's variables; `.env` (git-ignored) holds a user's own. */
export const DEV_ENV = `# Defaults for the dev profile. Copy to .env and change there; .env is not committed.
POSTGRES_DBNAME=postgres
POSTGRES_SCHEMA=public
POSTGRES_USER=postgres
POSTGRES_PASSWORD=postgres
POSTGRES_HOST=localhost
POSTGRES_PORT=5432
`;

const GITIGNORE = `.pipewright/
.env
node_modules/
`;

/** Creates a project folder in Mage's layout; refuses a folder that already has files. */
export function newProject(dir: string, options: { name: string; devcontainer?: boolean }): string[] {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new Error(`${dir} already exists and is not empty: choose a new folder name`);
  }
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {
    'metadata.yaml': `project_type: standalone\nproject_uuid: ${randomBytes(16).toString('hex')}\nproject_name: ${options.name}\n`,
    'io_config.yaml': ioConfig(
      options.devcontainer ? DEV_CONTAINER_PROFILE : devProfileText('A PostgreSQL of your own: set its POSTGRES_* variables in .env (dev.env has the defaults).'),
    ),
    'dev.env': options.devcontainer ? DEV_CONTAINER_DEV_ENV : DEV_ENV,
    '.env': options.devcontainer ? DEV_CONTAINER_DEV_ENV : DEV_ENV,
    '.gitignore': GITIGNORE,
    'tsconfig.json': PROJECT_TSCONFIG,
  };
  for (const [file, text] of Object.entries(files)) createFile(join(dir, file), text);
  for (const folder of ['pipelines', 'data_loaders', 'transformers', 'data_exporters']) {
    mkdirSync(join(dir, folder), { recursive: true });
  }
  ensureBlockTypes(dir);
  const created = Object.keys(files).map((f) => join(dir, f));
  if (options.devcontainer) created.push(...addDevContainer(dir).created);
  return created;
}
