import { readFileSync } from 'node:fs';
import type { Warehouse } from '../connectors/bigquery.js';
import { Dataset } from '../data/dataset.js';
import { persistOutput } from '../data/persist.js';
import { parquetSource, sqlBody } from '../data/sql-text.js';
import type { StoredOutput } from '../protocol.js';
import { TemplateValueError } from '../template/template.js';
import { configText, providerTarget, SqlBlockError, sqlPosition, type ProviderSqlOptions } from './sql-block.js';
import { renderSql } from './sql-template.js';

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
  const duck = await options.duck();
  const upstreamTables: string[] = [];
  for (const input of options.inputs) {
    const table = `${options.pipeline}_${input.uuid}`.replace(/[^A-Za-z0-9_]/g, '_');
    if (input.output.kind === 'table') await options.warehouse.export(new Dataset(duck, parquetSource(input.output.files)), { dataset, table, ifExists: 'replace' });
    upstreamTables.push(`\`${dataset}.${table}\``);
  }
  const source = readFileSync(options.file, 'utf8');
  let sql: string;
  try {
    sql = renderSql(source, { upstream: options.inputs.map((i) => i.uuid), variables: options.variables, env: options.env, upstreamName: (i) => upstreamTables[i], dialect: options.warehouse.dialect });
  } catch (error) {
    if (!(error instanceof TemplateValueError)) throw error;
    throw new SqlBlockError({ code: 'runtime', message: error.message, file: options.file, ...sqlPosition(source, error.offset) });
  }
  let result: Dataset;
  try {
    result = await options.warehouse.query(sqlBody(sql));
  } catch (error) {
    throw new SqlBlockError({ code: 'runtime', message: `The query failed on BigQuery: ${(error as Error).message}`, file: options.file });
  }
  if (config.use_raw_sql !== true) {
    const { table, policy } = providerTarget(options);
    if (policy !== 'append' && policy !== 'replace' && policy !== 'fail') {
      throw new SqlBlockError({ code: 'runtime', message: `export_write_policy must be append, replace or fail, not "${policy}"`, file: options.file });
    }
    await options.warehouse.export(result, { dataset, table, ifExists: policy });
  }
  return persistOutput(duck, result, { dir: options.outputDir });
}
