import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** How to reach Google Cloud with a profile. */
export interface GoogleSettings {
  profile: string;
  projectId?: string;
  /** BigQuery location (GOOGLE_LOCATION), US by default as in Mage. */
  location: string;
  /** A service-account key given inline (GOOGLE_SERVICE_ACC_KEY). */
  credentials?: Record<string, unknown>;
  /** A service-account key file (GOOGLE_SERVICE_ACC_KEY_FILEPATH), absolute. */
  keyFilename?: string;
  /** Pipewright: another Cloud Storage endpoint (a local server), GOOGLE_STORAGE_API_ENDPOINT. */
  storageEndpoint?: string;
  /** Pipewright: another BigQuery endpoint (a local server), GOOGLE_BIGQUERY_API_ENDPOINT. */
  bigqueryEndpoint?: string;
}

function text(settings: Record<string, unknown>, key: string): string | undefined {
  const value = settings[key];
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function inlineKey(profile: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  try {
    const parsed = JSON.parse(String(value)) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`Profile "${profile}": GOOGLE_SERVICE_ACC_KEY must be the key's JSON (a map with type, project_id, private_key, client_email, ...)`);
}

/**
 * Google settings from a resolved profile, as Mage reads them: an inline key wins over a key file;
 * with neither, application default credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, or
 * the metadata server) are used by the clients themselves.
 */
export function googleSettingsOf(profile: string, settings: Record<string, unknown>, projectRoot: string): GoogleSettings {
  const credentials = inlineKey(profile, settings.GOOGLE_SERVICE_ACC_KEY);
  let keyFilename: string | undefined;
  let keyProject: string | undefined;
  const keyPath = text(settings, 'GOOGLE_SERVICE_ACC_KEY_FILEPATH');
  if (!credentials && keyPath) {
    keyFilename = isAbsolute(keyPath) ? keyPath : resolve(projectRoot, keyPath);
    if (!existsSync(keyFilename)) {
      throw new Error(
        `Profile "${profile}": the key file ${keyFilename} (GOOGLE_SERVICE_ACC_KEY_FILEPATH) does not exist: download a JSON key of the service account from the Cloud console (IAM > Service accounts > Keys) and put its path there`,
      );
    }
    try {
      keyProject = (JSON.parse(readFileSync(keyFilename, 'utf8')) as { project_id?: string }).project_id;
    } catch {
      throw new Error(`Profile "${profile}": the key file ${keyFilename} is not a JSON service-account key`);
    }
  }
  return {
    profile,
    projectId: text(settings, 'GOOGLE_PROJECT_ID') ?? (credentials?.project_id as string | undefined) ?? keyProject ?? process.env.GOOGLE_CLOUD_PROJECT,
    location: text(settings, 'GOOGLE_LOCATION') ?? 'US',
    ...(credentials ? { credentials } : {}),
    ...(keyFilename ? { keyFilename } : {}),
    ...(text(settings, 'GOOGLE_STORAGE_API_ENDPOINT') ? { storageEndpoint: text(settings, 'GOOGLE_STORAGE_API_ENDPOINT') } : {}),
    ...(text(settings, 'GOOGLE_BIGQUERY_API_ENDPOINT') ? { bigqueryEndpoint: text(settings, 'GOOGLE_BIGQUERY_API_ENDPOINT') } : {}),
  };
}

/** Whether a resolved profile has any Google settings. */
export function hasGoogleSettings(settings: Record<string, unknown>): boolean {
  return Object.keys(settings).some((key) => key.startsWith('GOOGLE_') && settings[key] !== undefined && settings[key] !== null && settings[key] !== '');
}

// The predefined role that grants each permission Pipewright's connectors use.
const ROLES: Record<string, string> = {
  'storage.buckets.list': 'roles/storage.admin',
  'storage.buckets.get': 'roles/storage.legacyBucketReader',
  'storage.objects.list': 'roles/storage.objectViewer',
  'storage.objects.get': 'roles/storage.objectViewer',
  'storage.objects.create': 'roles/storage.objectCreator',
  'storage.objects.delete': 'roles/storage.objectAdmin',
  'bigquery.jobs.create': 'roles/bigquery.jobUser',
  'bigquery.datasets.create': 'roles/bigquery.dataEditor',
  'bigquery.tables.create': 'roles/bigquery.dataEditor',
  'bigquery.tables.updateData': 'roles/bigquery.dataEditor',
  'bigquery.tables.getData': 'roles/bigquery.dataViewer',
  'bigquery.tables.get': 'roles/bigquery.metadataViewer',
};

/** The usual reasons a Google call fails, from the error, with what to do. */
export function googleAdvice(error: unknown, settings: GoogleSettings): string {
  const message = (error as Error).message ?? String(error);
  const code = (error as { code?: number | string }).code;
  const permission = /(?:does not have|Permission)\s+'?([a-z]+\.[a-zA-Z]+\.[a-zA-Z]+)/.exec(message)?.[1];
  if (code === 403 || permission) {
    const role = permission ? ROLES[permission] : undefined;
    return `${message.split('\n')[0]}\n  The service account lacks ${permission ?? 'a permission'}: grant it ${role ?? 'a role that has it'} in IAM (Cloud console > IAM > Grant access)${settings.projectId ? ` on project ${settings.projectId}` : ''}.`;
  }
  if (code === 401 || /invalid_grant|unauthorized|invalid authentication/i.test(message)) {
    return `${message.split('\n')[0]}\n  Google refused the credentials: the key may be revoked or for another project; create a new key for the service account and point GOOGLE_SERVICE_ACC_KEY_FILEPATH at it.`;
  }
  if (/Could not load the default credentials|Unable to detect a Project Id/i.test(message)) {
    return `${message.split('\n')[0]}\n  No credentials: set GOOGLE_SERVICE_ACC_KEY_FILEPATH in profile "${settings.profile}", or run gcloud auth application-default login.`;
  }
  if (code === 404) return `${message.split('\n')[0]}\n  Not found: check the bucket, dataset or table name, and GOOGLE_LOCATION (${settings.location}).`;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT/.test(message)) return `${message.split('\n')[0]}\n  Google could not be reached from here: check the network (and any proxy).`;
  return message;
}
