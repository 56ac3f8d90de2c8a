import { dataLoader, readCsv } from 'pipewright';

/** The TLC file's column types; pickup and dropoff are timestamps. */
const TAXI_COLUMNS = {
  VendorID: 'INTEGER',
  tpep_pickup_datetime: 'TIMESTAMP',
  tpep_dropoff_datetime: 'TIMESTAMP',
  passenger_count: 'INTEGER',
  trip_distance: 'DOUBLE',
  RatecodeID: 'INTEGER',
  store_and_fwd_flag: 'VARCHAR',
  PULocationID: 'INTEGER',
  DOLocationID: 'INTEGER',
  payment_type: 'INTEGER',
  fare_amount: 'DOUBLE',
  extra: 'DOUBLE',
  mta_tax: 'DOUBLE',
  tip_amount: 'DOUBLE',
  tolls_amount: 'DOUBLE',
  improvement_surcharge: 'DOUBLE',
  total_amount: 'DOUBLE',
  congestion_surcharge: 'DOUBLE',
} as const;

/** Streams the taxi month from the pipeline variable taxi_url (CSV or CSV.gz). */
export default dataLoader(async (ctx) => {
  const url = String(ctx.vars.taxi_url);
  ctx.log.info(`Loading ${url}`);
  return readCsv(url, { columns: TAXI_COLUMNS, signal: ctx.signal });
});
