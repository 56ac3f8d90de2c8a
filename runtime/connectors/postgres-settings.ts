import type { PostgresSettings } from './embedded-postgres.js';

function text(settings: Record<string, unknown>, key: string): string | undefined {
  const value = settings[key];
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** Whether a profile asks for Pipewright's embedded services. */
export function isEmbeddedProfile(settings: Record<string, unknown>): boolean {
  return settings.PIPEWRIGHT_EMBEDDED === true || settings.PIPEWRIGHT_EMBEDDED === 'true';
}

/**
 * How to reach PostgreSQL with a resolved profile: the embedded server (asked of `embedded`, with the
 * profile's POSTGRES_SCHEMA if it names one), or the profile's own POSTGRES_* settings.
 */
export async function postgresFor(profile: string, settings: Record<string, unknown>, embedded: () => Promise<PostgresSettings>): Promise<PostgresSettings> {
  if (!isEmbeddedProfile(settings)) return postgresSettingsOf(profile, settings);
  return { ...(await embedded()), ...(settings.POSTGRES_SCHEMA ? { schema: String(settings.POSTGRES_SCHEMA) } : {}) };
}

/** PostgreSQL settings from a resolved profile's POSTGRES_* keys, with Mage's defaults. */
export function postgresSettingsOf(profile: string, settings: Record<string, unknown>): PostgresSettings {
  const missing = ['POSTGRES_HOST', 'POSTGRES_USER', 'POSTGRES_DBNAME'].filter((k) => text(settings, k) === undefined);
  if (missing.length > 0) {
    throw new Error(`Profile "${profile}" has no ${missing.join(', ')}: add them to io_config.yaml, or use a profile with PIPEWRIGHT_EMBEDDED: true`);
  }
  const port = Number(text(settings, 'POSTGRES_PORT') ?? 5432);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`Profile "${profile}": POSTGRES_PORT must be a port number, not "${String(settings.POSTGRES_PORT)}"`);
  return {
    host: text(settings, 'POSTGRES_HOST')!,
    port,
    user: text(settings, 'POSTGRES_USER')!,
    password: text(settings, 'POSTGRES_PASSWORD') ?? '',
    database: text(settings, 'POSTGRES_DBNAME')!,
    schema: text(settings, 'POSTGRES_SCHEMA') ?? 'public',
    connectTimeoutSeconds: Number(text(settings, 'POSTGRES_CONNECT_TIMEOUT') ?? 10),
  };
}
