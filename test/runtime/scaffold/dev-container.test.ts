import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse } from 'yaml';
import { parseYamlFile } from '../../../runtime/yaml/yaml-file.ts';
import { readIoConfig } from '../../../runtime/project/io-config.ts';
import { envLookup, resolveProfile } from '../../../runtime/project/profile-resolve.ts';
import { readProjectEnv } from '../../../runtime/project/project-env.ts';
import { pipewright } from '../../helpers/cli.ts';
import { writeTree } from '../../helpers/project-tree.ts';

const EXAMPLE = join(import.meta.dirname, '../../../examples/zoomcamp');
const PACKAGE = JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as { name: string; publisher: string };

/** `docker compose` (v2 plugin) or Debian's `docker-compose`: both parse and resolve a file without a Docker engine. */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return undefined;
}

interface ComposeService {
  environment?: Record<string, string>;
  volumes?: (string | { source: string; target: string })[];
  ports?: (string | { target: number; published: number | string; host_ip?: string })[];
  build?: { context: string; dockerfile?: string };
  profiles?: string[];
  command?: string | string[];
  working_dir?: string;
}

/** The compose file as `docker compose config` resolves it (.env interpolated, paths made absolute). */
function composeConfig(t: TestContext, root: string): { services: Record<string, ComposeService> } | undefined {
  const command = composeCommand();
  if (!command) {
    if (process.env.PIPEWRIGHT_REQUIRE_COMPOSE) assert.fail("docker compose (or docker-compose) is needed for this test: .ci/run installs Debian's docker-compose");
    t.skip('neither "docker compose" nor "docker-compose" is installed (apt-get install docker-compose)');
    return undefined;
  }
  const result = spawnSync(command[0], [...command.slice(1), '--profile', 'scheduler', 'config'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `${command.join(' ')} config: ${result.stderr}`);
  return parse(result.stdout) as { services: Record<string, ComposeService> };
}

function mounts(service: ComposeService): { source: string; target: string }[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return v;
    const [source, target] = v.split(':');
    return { source, target };
  });
}

function published(service: ComposeService): { host: string; target: string }[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { host: String(p.published), target: String(p.target) };
    const parts = p.replace(/\/tcp$/, '').split(':');
    return { host: parts.at(-2)!, target: parts.at(-1)! };
  });
}

/** The dev profile as Pipewright resolves it with a process environment and the project's dev.env/.env. */
function devProfile(root: string, env: Record<string, string>): Record<string, unknown> {
  const path = join(root, 'io_config.yaml');
  const config = readIoConfig(parseYamlFile(path, readFileSync(path, 'utf8')).file).value;
  const resolved = resolveProfile(config, 'dev', envLookup(env, readProjectEnv(root)));
  assert.deepEqual(resolved.problems, []);
  return resolved.value!;
}

/** What the generated files promise each other, checked on the resolved compose config. */
function assertConsistent(root: string, compose: { services: Record<string, ComposeService> }) {
  const devcontainer = JSON.parse(readFileSync(join(root, '.devcontainer/devcontainer.json'), 'utf8')) as Record<string, unknown> & {
    dockerComposeFile: string[];
    service: string;
    runServices: string[];
    workspaceFolder: string;
    customizations: { vscode: { extensions: string[] } };
  };
  for (const file of devcontainer.dockerComposeFile) {
    assert.equal(resolve(root, '.devcontainer', file), join(root, 'docker-compose.yml'), 'dockerComposeFile is relative to .devcontainer/');
  }
  const services = compose.services;
  assert.ok(services[devcontainer.service], `the service "${devcontainer.service}" VS Code attaches to is in the compose file`);
  for (const name of devcontainer.runServices) assert.ok(services[name], `runServices names a service: ${name}`);
  assert.deepEqual(devcontainer.customizations.vscode.extensions, [`${PACKAGE.publisher}.${PACKAGE.name}`]);
  assert.equal(typeof devcontainer.postCreateCommand, 'string');

  for (const name of [devcontainer.service, 'scheduler']) {
    const service = services[name];
    assert.ok(
      mounts(service).some((m) => m.source === root && m.target === devcontainer.workspaceFolder),
      `${name} mounts the project at the workspace folder`,
    );
    assert.ok(existsSync(join(service.build!.context, service.build!.dockerfile ?? 'Dockerfile')), `${name} builds from the Dockerfile`);
  }
  assert.equal(services.scheduler.working_dir, devcontainer.workspaceFolder);
  assert.deepEqual(services.scheduler.profiles, ['scheduler'], 'the scheduler runs only when asked for');
  assert.deepEqual(services.scheduler.command, ['pipewright', 'scheduler']);

  // Inside the container: the dev profile reaches the postgres service by name, with its credentials.
  const postgres = services.postgres.environment!;
  for (const name of [devcontainer.service, 'scheduler']) {
    const env = services[name].environment!;
    assert.equal(env.PIPEWRIGHT_PROFILE, 'dev');
    const dev = devProfile(root, env);
    assert.ok(services[String(dev.POSTGRES_HOST)], `POSTGRES_HOST ${String(dev.POSTGRES_HOST)} is a compose service`);
    assert.equal(dev.POSTGRES_HOST, 'postgres');
    assert.equal(String(dev.POSTGRES_PORT), '5432');
    assert.equal(dev.POSTGRES_USER, postgres.POSTGRES_USER);
    assert.equal(dev.POSTGRES_PASSWORD, postgres.POSTGRES_PASSWORD);
    assert.equal(dev.POSTGRES_DBNAME, postgres.POSTGRES_DB);
  }
  // Outside it: the same database on localhost at the published port.
  const outside = devProfile(root, {});
  assert.equal(outside.POSTGRES_HOST, 'localhost');
  assert.deepEqual(
    published(services.postgres).map((p) => [p.host, p.target]),
    [[String(outside.POSTGRES_PORT), '5432']],
  );
  assert.equal(outside.POSTGRES_PASSWORD, postgres.POSTGRES_PASSWORD);
}

test('new project --devcontainer: compose, Dockerfile and devcontainer.json that agree with each other and with the dev profile', (t) => {
  const parent = writeTree(t, {});
  const made = pipewright(['new', 'project', 'taxi rides', '--devcontainer'], { cwd: parent });
  assert.equal(made.code, 0, made.stderr);
  const root = join(parent, 'taxi rides');
  const dockerfile = readFileSync(join(root, '.devcontainer/Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:\$\{NODE_VERSION\}-bookworm-slim$/m);
  assert.match(dockerfile, /npm install --global "\$\{tarball:-pipewright@\$\{PIPEWRIGHT_VERSION\}\}"/);
  assert.match(
    dockerfile,
    new RegExp(
      `ARG PIPEWRIGHT_VERSION=${(JSON.parse(readFileSync(join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string }).version.replaceAll('.', '\\.')}\\n`,
    ),
    'the CLI version is the one that wrote it',
  );
  assert.equal(readFileSync(join(root, '.env'), 'utf8'), readFileSync(join(root, 'dev.env'), 'utf8'));
  assert.match(readFileSync(join(root, '.gitignore'), 'utf8'), /^\.env$/m);
  assert.equal(JSON.parse(readFileSync(join(root, '.devcontainer/devcontainer.json'), 'utf8')).workspaceFolder, '/workspaces/taxi-rides');

  const validate = pipewright(['validate'], { cwd: root });
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);

  const compose = composeConfig(t, root);
  if (!compose) return;
  assertConsistent(root, compose);
  assert.equal(compose.services.postgres.environment!.POSTGRES_PASSWORD, 'postgres');

  // The user's own values in .env reach both sides: compose's interpolation and Pipewright's profile.
  writeFileSync(join(root, '.env'), 'POSTGRES_PASSWORD=s3cret-9\nPOSTGRES_PORT=6543\nPOSTGRES_USER=etl\n');
  const mine = composeConfig(t, root)!;
  assertConsistent(root, mine);
  assert.equal(mine.services.postgres.environment!.POSTGRES_PASSWORD, 's3cret-9');
  assert.equal(mine.services.postgres.environment!.POSTGRES_USER, 'etl');
  assert.deepEqual(
    published(mine.services.postgres).map((p) => p.host),
    ['6543'],
  );
});

test('new devcontainer on an existing project keeps its files and takes its dev.env defaults; a second time refuses', (t) => {
  const root = writeTree(t, {});
  cpSync(EXAMPLE, root, { recursive: true, filter: (source) => !source.includes('.pipewright') && !source.endsWith('/.env') });
  const before = new Map(['io_config.yaml', '.gitignore', 'dev.env'].map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  const added = pipewright(['new', 'devcontainer'], { cwd: root });
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Created \.devcontainer\/devcontainer\.json/);
  assert.doesNotMatch(added.stdout, /Added to/, 'the example has a dev profile and ignores .env already');
  for (const [file, text] of before) assert.equal(readFileSync(join(root, file), 'utf8'), text, `${file} is untouched`);

  const compose = composeConfig(t, root);
  if (compose) {
    assertConsistent(root, compose);
    assert.deepEqual(compose.services.postgres.environment, { POSTGRES_DB: 'ny_taxi', POSTGRES_USER: 'root', POSTGRES_PASSWORD: 'root' });
  }

  const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
  const again = pipewright(['new', 'devcontainer'], { cwd: root });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /devcontainer\.json, .*Dockerfile, .*docker-compose\.yml already exist: Pipewright does not overwrite them/);
  assert.equal(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), composeText);
});

test('a project without a dev profile gets one appended; .env joins .gitignore; a dev.env value compose cannot hold is named', (t) => {
  const io = 'version: 0.1.1\ndefault:\n  PIPEWRIGHT_EMBEDDED: true # keep this comment\n';
  const root = writeTree(t, { 'io_config.yaml': io, '.gitignore': 'node_modules/', 'pipelines/.keep': '' });
  const added = pipewright(['new', 'devcontainer'], { cwd: root });
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Added to io_config\.yaml/);
  const text = readFileSync(join(root, 'io_config.yaml'), 'utf8');
  assert.ok(text.startsWith(io), 'what was there stays byte for byte');
  assert.equal(readFileSync(join(root, '.gitignore'), 'utf8'), 'node_modules/\n.env\n');
  assert.ok(existsSync(join(root, 'dev.env')), 'dev.env is created with the defaults');
  const compose = composeConfig(t, root);
  if (compose) assertConsistent(root, compose);

  const bad = writeTree(t, { 'io_config.yaml': io, 'dev.env': 'POSTGRES_USER=me\nPOSTGRES_PASSWORD="p w}d"\n' });
  const refused = pipewright(['new', 'devcontainer'], { cwd: bad });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /dev\.env:2: POSTGRES_PASSWORD's value has characters a docker compose default cannot hold/);
  assert.ok(!existsSync(join(bad, 'docker-compose.yml')) && !existsSync(join(bad, '.devcontainer')), 'nothing is written');
});

test('a broken io_config.yaml is reported with its line before anything is written', (t) => {
  const root = writeTree(t, { 'io_config.yaml': 'default:\n  a: [1\n' });
  const refused = pipewright(['new', 'devcontainer'], { cwd: root });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /io_config\.yaml:3: Invalid YAML: .*fix io_config\.yaml first/, 'the line validate names');
  assert.ok(!existsSync(join(root, '.devcontainer')));
});

test('the package npm pack makes (the Dockerfile installs it when it lies beside it) holds the built CLI', () => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(import.meta.dirname, '../../..'), encoding: 'utf8', timeout: 120_000 });
  assert.equal(packed.status, 0, packed.stderr);
  const files = new Set((JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
  for (const file of ['bin/pipewright.js', 'dist/cli.js', 'dist/block-worker.js', 'types/pipewright.d.ts', 'package.json']) assert.ok(files.has(file), `${file} is in the package`);
  assert.ok(![...files].some((f) => f.startsWith('test/') || f.startsWith('runtime/')), 'sources and tests stay out of it');
});
