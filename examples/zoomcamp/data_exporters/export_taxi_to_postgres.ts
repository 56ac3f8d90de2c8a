import { dataExporter } from 'pipewright';

/** Replaces ny_taxi.yellow_cab_data with the cleaned trips, through the run's profile. */
export default dataExporter(async (trips, ctx) => {
  const postgres = await ctx.io.postgres();
  const rows = await postgres.export(trips, { schema: 'ny_taxi', table: 'yellow_cab_data', ifExists: 'replace' });
  ctx.log.info(`Wrote ${rows} rows to ny_taxi.yellow_cab_data`);
});
