import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseEnv } from 'node:util';
import { readIoConfig } from '../project/io-config.js';
import { parseYamlFile } from '../yaml/yaml-file.js';
import { createFile } from '../project/write-file.js';
import { pipewrightVersion } from '../version.js';

/** The files a dev container consists of, relative to the project folder. */
export const DEV_CONTAINER_FILES = ['.devcontainer/devcontainer.json', '.devcontainer/Dockerfile', 'docker-compose.yml'] as const;

/** The compose service the editor attaches to, and the one holding PostgreSQL. */
export const WORKSPACE_SERVICE = 'workspace';
export const POSTGRES_SERVICE = 'postgres';

/** The io_config.yaml profile runs use inside the container (PIPEWRIGHT_PROFILE there). */
export const DEV_PROFILE = 'dev';

/** The extension's id, as `customizations.vscode.extensions` lists it. */
export const EXTENSION_ID = 'pipewright.pipewright';

/** The PostgreSQL settings compose needs a default for: the project's committed dev.env, else these. */
const POSTGRES_DEFAULTS = { POSTGRES_DBNAME: 'postgres', POSTGRES_USER: 'postgres', POSTGRES_PASSWORD: 'postgres', POSTGRES_PORT: '5433' };
type PostgresDefaults = typeof POSTGRES_DEFAULTS;

// A compose default (`${X:-default}`) cannot hold `}`, `$`, quotes or spaces without escaping rules
// that differ between compose versions; dev.env holds defaults, so simple values are asked for.
const SAFE_DEFAULT = /^[\w.@%+=:,/-]+$/;

/** dev.env for a project made with a dev container: the host port is 5433, so a local PostgreSQL on 5432 does not clash. */
export const DEV_CONTAINER_DEV_ENV = `# Defaults for the dev profile. Copy to .env and change there; .env is not committed.
# In the dev container, docker-compose.yml sets POSTGRES_HOST=postgres and POSTGRES_PORT=5432 (the
# compose service); on this machine the same database is at localhost:POSTGRES_PORT.
POSTGRES_DBNAME=postgres
POSTGRES_SCHEMA=public
POSTGRES_USER=postgres
POSTGRES_PASSWORD=postgres
POSTGRES_HOST=localhost
POSTGRES_PORT=5433
`;

/** The dev profile's PostgreSQL settings, read from the environment (.env, dev.env); `comment` says where it points. */
export function devProfileText(comment: string): string {
  return `${DEV_PROFILE}:
  # ${comment}
  POSTGRES_CONNECT_TIMEOUT: 10
  POSTGRES_DBNAME: "{{ env_var('POSTGRES_DBNAME') }}"
  POSTGRES_SCHEMA: "{{ env_var('POSTGRES_SCHEMA') }}"
  POSTGRES_USER: "{{ env_var('POSTGRES_USER') }}"
  POSTGRES_PASSWORD: "{{ env_var('POSTGRES_PASSWORD') }}"
  POSTGRES_HOST: "{{ env_var('POSTGRES_HOST') }}"
  POSTGRES_PORT: "{{ env_var('POSTGRES_PORT') }}"
`;
}

/** The dev profile of a project with a dev container. */
export const DEV_CONTAINER_PROFILE = devProfileText(`The PostgreSQL of docker-compose.yml: service "${POSTGRES_SERVICE}" in the dev container, localhost outside it.`);

/** What adding a dev container did. */
export interface DevContainerResult {
  /** Files written, absolute. */
  created: string[];
  /** Files that gained lines at their end (io_config.yaml's dev profile, .gitignore's .env). */
  appended: string[];
  /** Where the workspace is mounted in the container. */
  workspaceFolder: string;
}

/** The folder name the project gets under /workspaces in the container. */
export function containerFolderName(root: string): string {
  return (
    basename(root)
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'project'
  );
}

/**
 * Adds a dev container to a project: `.devcontainer/devcontainer.json` and `Dockerfile`, and a
 * `docker-compose.yml` with the workspace, PostgreSQL and (a compose profile) the headless scheduler.
 * Refuses, before writing anything, when any of them exists; what the project has is only appended to.
 */
export function addDevContainer(root: string): DevContainerResult {
  const existing = DEV_CONTAINER_FILES.filter((file) => existsSync(join(root, file)));
  if (existing.length > 0) {
    throw new Error(
      `${existing.map((f) => join(root, f)).join(', ')} already ${existing.length === 1 ? 'exists' : 'exist'}: Pipewright does not overwrite ${existing.length === 1 ? 'it' : 'them'}; move ${existing.length === 1 ? 'it' : 'them'} away to generate a new dev container`,
    );
  }
  const ioConfigPath = join(root, 'io_config.yaml');
  const ioConfigText = existsSync(ioConfigPath) ? readFileSync(ioConfigPath, 'utf8') : undefined;
  const needsDevProfile = ioConfigText === undefined || !hasProfile(ioConfigPath, ioConfigText, DEV_PROFILE);
  const defaults = postgresDefaults(root);
  const folder = `/workspaces/${containerFolderName(root)}`;

  const created: string[] = [];
  const appended: string[] = [];
  const files: Record<string, string> = {
    '.devcontainer/devcontainer.json': devcontainerJson(basename(root), folder),
    '.devcontainer/Dockerfile': dockerfile(),
    'docker-compose.yml': composeFile(folder, defaults),
  };
  if (!existsSync(join(root, 'dev.env'))) files['dev.env'] = DEV_CONTAINER_DEV_ENV;
  if (ioConfigText === undefined) files['io_config.yaml'] = `version: 0.1.1\n${DEV_CONTAINER_PROFILE}`;
  for (const [file, text] of Object.entries(files)) {
    createFile(join(root, file), text);
    created.push(join(root, file));
  }
  if (ioConfigText !== undefined && needsDevProfile) {
    appendFileSync(ioConfigPath, `${ioConfigText.endsWith('\n') || ioConfigText === '' ? '' : '\n'}${DEV_CONTAINER_PROFILE}`);
    appended.push(ioConfigPath);
  }
  if (appendLine(join(root, '.gitignore'), '.env')) appended.push(join(root, '.gitignore'));
  return { created, appended, workspaceFolder: folder };
}

function hasProfile(path: string, text: string, name: string): boolean {
  const { file, problems } = parseYamlFile(path, text);
  if (problems.some((p) => p.severity === 'error')) {
    const first = problems.find((p) => p.severity === 'error')!;
    throw new Error(`${path}:${first.range.start.line}: ${first.message}: fix io_config.yaml first, so the dev profile can be added to it`);
  }
  return readIoConfig(file).value.profiles.has(name);
}

/** The compose defaults of the Postgres settings: the committed dev.env's values (never .env's, which may be secrets). */
function postgresDefaults(root: string): PostgresDefaults {
  const path = join(root, 'dev.env');
  if (!existsSync(path)) return POSTGRES_DEFAULTS;
  const text = readFileSync(path, 'utf8');
  const values = parseEnv(text);
  const defaults = { ...POSTGRES_DEFAULTS };
  for (const key of Object.keys(defaults) as (keyof PostgresDefaults)[]) {
    const value = values[key];
    if (value === undefined || value === '') continue;
    if (!SAFE_DEFAULT.test(value)) {
      const line = text.split('\n').findIndex((l) => l.trimStart().startsWith(`${key}=`)) + 1;
      throw new Error(
        `${path}:${line}: ${key}'s value has characters a docker compose default cannot hold: keep dev.env's defaults to letters, digits and . @ % + = : , / - _ and put your own value in .env`,
      );
    }
    defaults[key] = value;
  }
  return defaults;
}

/** Appends a line to a file (creating it) unless a line says it already; true when it did. */
function appendLine(path: string, line: string): boolean {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (text.split(/\r?\n/).some((l) => l.trim() === line || l.trim() === `/${line}`)) return false;
  appendFileSync(path, `${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`);
  return true;
}

function devcontainerJson(name: string, folder: string): string {
  const config = {
    name: `${name} (Pipewright)`,
    dockerComposeFile: ['../docker-compose.yml'],
    service: WORKSPACE_SERVICE,
    runServices: [WORKSPACE_SERVICE, POSTGRES_SERVICE],
    workspaceFolder: folder,
    shutdownAction: 'stopCompose',
    remoteUser: 'node',
    forwardPorts: [`${POSTGRES_SERVICE}:5432`],
    portsAttributes: { [`${POSTGRES_SERVICE}:5432`]: { label: 'PostgreSQL', onAutoForward: 'silent' } },
    customizations: { vscode: { extensions: [EXTENSION_ID] } },
    postCreateCommand: '[ -f .env ] || cp dev.env .env; if [ -f package.json ]; then npm ci; fi',
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function dockerfile(): string {
  return `# Pipewright's dev container and headless scheduler: Node.js LTS with the Pipewright CLI.
# The build context is this folder. To install a Pipewright that is not on the npm registry, put the
# tarball \`npm pack\` makes of it (pipewright-<version>.tgz) beside this file.
ARG NODE_VERSION=24
FROM node:\${NODE_VERSION}-bookworm-slim
ARG PIPEWRIGHT_VERSION=${pipewrightVersion ?? 'latest'}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates git postgresql-client \\
 && rm -rf /var/lib/apt/lists/*
COPY . /tmp/pipewright-install/
RUN tarball="$(ls /tmp/pipewright-install/pipewright-*.tgz 2>/dev/null | head -n 1)" \\
 && npm install --global "\${tarball:-pipewright@\${PIPEWRIGHT_VERSION}}" \\
 && rm -rf /tmp/pipewright-install \\
 && npm cache clean --force
USER node
`;
}

function composeFile(folder: string, d: PostgresDefaults): string {
  const pipewright = (indent: string) =>
    [
      `build:`,
      `  context: .devcontainer`,
      `init: true`,
      `volumes:`,
      `  - .:${folder}:cached`,
      `working_dir: ${folder}`,
      `environment:`,
      `  # Runs use the dev profile, whose PostgreSQL is the service below, reached by its name.`,
      `  PIPEWRIGHT_PROFILE: ${DEV_PROFILE}`,
      `  POSTGRES_HOST: ${POSTGRES_SERVICE}`,
      `  POSTGRES_PORT: "5432"`,
      `depends_on:`,
      `  ${POSTGRES_SERVICE}:`,
      `    condition: service_healthy`,
    ]
      .map((line) => indent + line)
      .join('\n');
  return `# The project's dev container (.devcontainer/devcontainer.json attaches VS Code to "${WORKSPACE_SERVICE}"),
# its PostgreSQL, and a headless scheduler that runs the triggers without an editor:
#   docker compose --profile scheduler up -d
# Settings come from .env beside this file (git-ignored; made from dev.env); the defaults below are
# dev.env's. POSTGRES_PORT is the port on this machine; in the containers it is 5432.
services:
  ${WORKSPACE_SERVICE}:
${pipewright('    ')}
    command: sleep infinity

  scheduler:
    profiles: [scheduler]
${pipewright('    ')}
    command: [pipewright, scheduler]
    restart: unless-stopped
    # On stop, the scheduler starts no new runs and waits this long for the running ones.
    stop_grace_period: 2m

  ${POSTGRES_SERVICE}:
    image: postgres:17
    restart: unless-stopped
    environment:
      POSTGRES_DB: \${POSTGRES_DBNAME:-${d.POSTGRES_DBNAME}}
      POSTGRES_USER: \${POSTGRES_USER:-${d.POSTGRES_USER}}
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-${d.POSTGRES_PASSWORD}}
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U \\"$$POSTGRES_USER\\" -d \\"$$POSTGRES_DB\\""]
      interval: 5s
      timeout: 5s
      retries: 12
    ports:
      - "127.0.0.1:\${POSTGRES_PORT:-${d.POSTGRES_PORT}}:5432"
    volumes:
      - postgres-data:/var/lib/postgresql/data

volumes:
  postgres-data:
`;
}
