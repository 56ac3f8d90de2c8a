import { dataExporter } from 'pipewright';

/** Replaces the day's partition of ny_taxi.yellow_cab_data, so re-running a day never duplicates it. */
export default dataExporter(async (trips, ctx) => {
  const bigquery = await ctx.io.bigquery();
  await bigquery.export(trips, {
    dataset: String(ctx.vars.dataset),
    table: 'yellow_cab_data',
    partitionBy: 'tpep_pickup_date',
    replacePartition: String(ctx.vars.ds),
  });
});
