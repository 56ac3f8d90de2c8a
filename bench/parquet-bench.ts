import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GcsIo } from '../runtime/connectors/gcs.ts';
import { LocalBucketStore } from '../runtime/connectors/object-store.ts';
import { Dataset } from '../runtime/data/dataset.ts';
import { openDuck } from '../runtime/data/duck.ts';
import { writeTaxiCsv } from '../runtime/sample/write-taxi.ts';
import type { BenchRow } from './runtime-bench.ts';

const MONTH = 1_369_765;

/**
 * The taxi month as parquet partitioned by pickup date: Pipewright's `gcs.writeParquet` into the local
 * bucket, against DuckDB's own `COPY ... (FORMAT parquet, PARTITION_BY ...)` of the same query.
 */
export async function partitionedParquetBench(rows: BenchRow[]): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'pipewright-bench-parquet-'));
  try {
    const csv = join(work, 'month.csv');
    await writeTaxiCsv(csv, { rows: MONTH, seed: 42 });
    const duck = await openDuck({ memoryLimit: '1GB', tempDirectory: work });
    const query = `(SELECT *, CAST(tpep_pickup_datetime AS DATE) AS tpep_pickup_date FROM read_csv('${csv}', header = true, types = {'tpep_pickup_datetime': 'TIMESTAMP', 'tpep_dropoff_datetime': 'TIMESTAMP'}))`;
    let start = performance.now();
    await duck.run(`COPY ${query} TO '${join(work, 'reference')}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (tpep_pickup_date))`);
    const reference = performance.now() - start;
    const gcs = new GcsIo(new LocalBucketStore(join(work, 'buckets')), async () => duck, join(work, 'scratch'));
    start = performance.now();
    const written = await gcs.writeParquet(new Dataset(duck, query), { bucket: 'bench', prefix: 'nyc_taxi_data', partitionBy: ['tpep_pickup_date'] });
    const measured = performance.now() - start;
    duck.closeSync();
    rows.push({
      what: `taxi month → parquet partitioned by day (${written.objects.length} files), local bucket`,
      value: measured,
      unit: 'ms',
      reference: "DuckDB's own COPY ... PARTITION_BY",
      referenceValue: reference,
      goal: 'within 1.5x',
      met: measured <= reference * 1.5,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
