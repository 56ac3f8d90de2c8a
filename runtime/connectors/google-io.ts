import type { DuckDBConnection } from '@duckdb/node-api';
import { LocalWarehouse, RemoteBigQuery, type Warehouse } from './bigquery.js';
import { GcsIo } from './gcs.js';
import { googleSettingsOf } from './google-settings.js';
import { GcsStore, LocalBucketStore, type ObjectStore } from './object-store.js';
import { isEmbeddedProfile } from './postgres-settings.js';
import { bucketsDir, warehouseFile } from '../layout.js';

/** Where the embedded profile keeps its bucket folders and its warehouse. */
export function embeddedPaths(projectRoot: string): { buckets: string; warehouse: string } {
  return { buckets: bucketsDir(projectRoot), warehouse: warehouseFile(projectRoot) };
}

/** The object store of a resolved profile: the local bucket folders when embedded, else Cloud Storage. */
export function objectStoreFor(projectRoot: string, profile: string, settings: Record<string, unknown>): ObjectStore {
  if (isEmbeddedProfile(settings)) return new LocalBucketStore(embeddedPaths(projectRoot).buckets);
  return new GcsStore(googleSettingsOf(profile, settings, projectRoot));
}

/** What the connectors of a block share. */
export interface ConnectorContext {
  projectRoot: string;
  duck: () => Promise<DuckDBConnection>;
  workDir: string;
  signal?: AbortSignal;
  /** The process-wide lock on the embedded warehouse; resolves to its release. */
  warehouseLock?: () => Promise<() => Promise<void>>;
}

/** `ctx.io.gcs(profile)`. */
export function gcsFor(context: ConnectorContext, profile: string, settings: Record<string, unknown>): GcsIo {
  return new GcsIo(objectStoreFor(context.projectRoot, profile, settings), context.duck, context.workDir);
}

/** `ctx.io.bigquery(profile)`: the local DuckDB warehouse when embedded, else BigQuery. */
export function warehouseFor(context: ConnectorContext, profile: string, settings: Record<string, unknown>): Warehouse {
  if (isEmbeddedProfile(settings)) {
    const paths = embeddedPaths(context.projectRoot);
    return new LocalWarehouse(paths.warehouse, new LocalBucketStore(paths.buckets), context.duck, context.workDir, context.signal, context.warehouseLock);
  }
  return new RemoteBigQuery(googleSettingsOf(profile, settings, context.projectRoot), context.duck, context.workDir);
}
