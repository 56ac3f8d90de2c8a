-- Keep trips with passengers (this drops both zero and empty counts), add the pickup date, and
-- give every column a snake_case name.
SELECT
  "VendorID" AS vendor_id,
  tpep_pickup_datetime,
  tpep_dropoff_datetime,
  passenger_count,
  trip_distance,
  "RatecodeID" AS ratecode_id,
  store_and_fwd_flag,
  "PULocationID" AS pu_location_id,
  "DOLocationID" AS do_location_id,
  payment_type,
  fare_amount,
  extra,
  mta_tax,
  tip_amount,
  tolls_amount,
  improvement_surcharge,
  total_amount,
  congestion_surcharge,
  CAST(tpep_pickup_datetime AS DATE) AS tpep_pickup_date
FROM {{ df_1 }}
WHERE passenger_count > 0
