import type { PostgresSettings } from './embedded-postgres.js';

/** The usual reasons a PostgreSQL connection fails, from the error's code, with what to do. */
export function postgresAdvice(error: unknown, settings: PostgresSettings): string {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  const where = `${settings.host}:${settings.port}`;
  const otherServer =
    settings.port === 5432
      ? ' If a PostgreSQL of your own already runs on this machine on port 5432, you reached that one: the course publishes its container on another port (5431) for this reason; set POSTGRES_PORT to it.'
      : '';
  switch (code) {
    case 'ECONNREFUSED':
      return `Nothing listens on ${where}: start PostgreSQL (docker compose up -d), or fix POSTGRES_HOST / POSTGRES_PORT. A port already taken on the host makes docker publish the container elsewhere (the course's 5431).`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Host "${settings.host}" is unknown here: inside a dev container use the compose service name (postgres); on your machine use localhost.`;
    case 'ETIMEDOUT':
      return `No answer from ${where} within ${settings.connectTimeoutSeconds} s: check the host, and any firewall between (POSTGRES_CONNECT_TIMEOUT sets the wait).`;
    case '28P01':
    case '28000':
      return `PostgreSQL refused user "${settings.user}": check POSTGRES_USER and POSTGRES_PASSWORD (your .env).${otherServer}`;
    case '3D000':
      return `Database "${settings.database}" does not exist on ${where}: create it, or fix POSTGRES_DBNAME.${otherServer}`;
    case '42501':
      return `User "${settings.user}" lacks a privilege: grant it CREATE on the database and schema "${settings.schema}", or use another user.`;
    default:
      return (error as Error).message ?? String(error);
  }
}
