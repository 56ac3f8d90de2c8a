import type { Warehouse } from '../connectors/bigquery.js';
import type { Dataset } from '../data/dataset.js';
import { persistOutput } from '../data/persist.js';
import type { StoredOutput } from '../protocol.js';
import { configText, providerSql, providerTarget, SqlBlockError, type ProviderSqlOptions } from './sql-block.js';

/** What a SQL block on BigQuery (or the embedded warehouse) needs. */
export interface BigQuerySqlOptions extends ProviderSqlOptions {
  warehouse: Warehouse;
}

/**
 * A SQL block with `data_provider: bigquery`, as Mage runs it: upstream outputs are loaded as tables
 * of the dataset `data_provider_schema` (`{{ df_1 }}` names the first), the query runs there, and
 * unless `use_raw_sql` is set its result is also written to `data_provider_table` (default
 * `<pipeline>_<block>`) by `export_write_policy`. The result is the block's output.
 */
export async function runSqlOnBigQuery(options: BigQuerySqlOptions): Promise<StoredOutput> {
  const config = options.configuration;
  const dataset = configText(config.data_provider_schema);
  if (!dataset) {
    throw new SqlBlockError({
      code: 'runtime',
      message: `A SQL block on BigQuery needs the dataset to work in: add data_provider_schema: <dataset> to the block's configuration in metadata.yaml`,
      file: options.file,
    });
  }
  const target = config.use_raw_sql === true ? undefined : providerTarget(options);
  const { warehouse } = options;
  const body = await providerSql(options, {
    dialect: warehouse.dialect,
    tableName: (name) => name,
    upload: async (table, data) => void (await warehouse.export(data, { dataset, table, ifExists: 'replace' })),
    qualified: (table) => `\`${dataset}.${table}\``,
  });
  let result: Dataset;
  try {
    result = await warehouse.query(body);
  } catch (error) {
    throw new SqlBlockError({ code: 'runtime', message: `The query failed on BigQuery: ${(error as Error).message}`, file: options.file });
  }
  if (target) await warehouse.export(result, { dataset, table: target.table, ifExists: target.policy });
  return persistOutput(await options.duck(), result, { dir: options.outputDir });
}
