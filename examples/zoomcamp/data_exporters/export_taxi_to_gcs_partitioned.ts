import { dataExporter } from 'pipewright';

/** One parquet object per pickup date: nyc_taxi_data/tpep_pickup_date=2021-01-01/part-0.parquet, ... */
export default dataExporter(async (trips, ctx) => {
  const gcs = await ctx.io.gcs();
  await gcs.writeParquet(trips, { bucket: String(ctx.vars.bucket), prefix: 'nyc_taxi_data', partitionBy: ['tpep_pickup_date'] });
});
