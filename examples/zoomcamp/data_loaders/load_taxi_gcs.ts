import { dataLoader } from 'pipewright';

/** The partition of the run's execution_date (its `ds`, as 2021-01-15). */
export default dataLoader(async (ctx) => {
  const gcs = await ctx.io.gcs();
  const prefix = `nyc_taxi_data/tpep_pickup_date=${String(ctx.vars.ds)}/`;
  ctx.log.info(`Reading gs://${String(ctx.vars.bucket)}/${prefix}`);
  return gcs.readParquet({ bucket: String(ctx.vars.bucket), prefix });
});
