import { dataExporter } from 'pipewright';

/** The whole month as one parquet object. */
export default dataExporter(async (trips, ctx) => {
  const gcs = await ctx.io.gcs();
  await gcs.writeParquet(trips, { bucket: String(ctx.vars.bucket), object: 'nyc_taxi_data.parquet' });
});
