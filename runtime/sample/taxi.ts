/**
 * Deterministic synthetic NYC yellow-taxi months with the real file's 18 columns and quirks, streamed
 * in chunks so any size fits in constant memory. Used by the demo, the tests and the benchmarks.
 *
 * Shape modelled on yellow_tripdata_2021-01.csv: rows in pickup order; a tail of about 7% rows from
 * unknown providers with VendorID, passenger_count, RatecodeID, store_and_fwd_flag, payment_type and
 * congestion_surcharge empty; about 2% passenger_count 0; rare pickups outside the month; dropoffs
 * before pickups; refunds with negative amounts; zero distances; TLC number formatting (".20", "11.8").
 */

/** The real file's header. */
export const TAXI_COLUMNS = [
  'VendorID',
  'tpep_pickup_datetime',
  'tpep_dropoff_datetime',
  'passenger_count',
  'trip_distance',
  'RatecodeID',
  'store_and_fwd_flag',
  'PULocationID',
  'DOLocationID',
  'payment_type',
  'fare_amount',
  'extra',
  'mta_tax',
  'tip_amount',
  'tolls_amount',
  'improvement_surcharge',
  'total_amount',
  'congestion_surcharge',
] as const;

/** What to generate. The same options always give the same bytes. */
export interface TaxiOptions {
  rows: number;
  seed?: number;
  year?: number;
  month?: number;
  /** Rows per yielded chunk. */
  chunkRows?: number;
}

/** Share of rows from unknown providers, at the end of the file as in the real one. */
export const UNKNOWN_PROVIDER_SHARE = 0.072;

/** mulberry32: a tiny, fast, well-mixed 32-bit generator; floats in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Relative demand per hour of day; evenings busy, nights quiet.
const HOURLY = [1.5, 1, 0.6, 0.4, 0.4, 0.7, 1.6, 2.9, 3.7, 4.1, 4.4, 4.8, 5, 5.3, 5.6, 5.8, 5.9, 6, 5.8, 4.8, 3.9, 3.2, 2.7, 2.1];
const BUSY_ZONES = [237, 236, 161, 162, 186, 170, 230, 48, 142, 239, 141, 263, 140, 234, 68, 79, 107, 132, 138, 164];

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function timestamp(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function amount(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function distance(x: number): string {
  const text = x.toFixed(2);
  return text.startsWith('0.') ? text.slice(1) : text;
}

/** Hour starts of the month (seconds) and the cumulative share of demand up to each. */
function demandCurve(year: number, month: number): { starts: number[]; cumulative: number[] } {
  const first = Date.UTC(year, month - 1, 1) / 1000;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const starts: number[] = [];
  const weights: number[] = [];
  for (let day = 0; day < days; day++) {
    const weekday = new Date((first + day * 86400) * 1000).getUTCDay();
    const dayWeight = (weekday === 0 ? 0.72 : weekday === 6 ? 0.86 : 1) * (0.92 + (0.16 * day) / days);
    for (let hour = 0; hour < 24; hour++) {
      starts.push(first + day * 86400 + hour * 3600);
      weights.push(dayWeight * HOURLY[hour]);
    }
  }
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return { starts, cumulative: weights.map((w) => (sum += w / total)) };
}

/** Yields the CSV text, header first, in chunks of `chunkRows` rows. */
export function* generateTaxiCsv(options: TaxiOptions): Generator<string> {
  const { rows, seed = 42, year = 2021, month = 1, chunkRows = 10000 } = options;
  const rnd = random(seed);
  const curve = demandCurve(year, month);
  const monthStart = curve.starts[0];
  const monthEnd = monthStart + curve.starts.length * 3600;
  const unknown = Math.round(rows * UNKNOWN_PROVIDER_SHARE);
  const known = rows - unknown;
  yield `${TAXI_COLUMNS.join(',')}\n`;
  for (const [count, unknownProvider] of [
    [known, false],
    [unknown, true],
  ] as const) {
    let hour = 0;
    let chunk = '';
    let inChunk = 0;
    for (let i = 0; i < count; i++) {
      // Walk the demand curve once, in order: pickups come out sorted without holding them in memory.
      const quantile = (i + rnd()) / count;
      while (hour < curve.cumulative.length - 1 && curve.cumulative[hour] < quantile) hour++;
      let pickup = curve.starts[hour] + Math.floor(rnd() * 3600);
      if (rnd() < 0.0001) pickup = rnd() < 0.5 ? monthStart - 86400 + Math.floor(rnd() * 86400) : monthEnd + Math.floor(rnd() * 86400);
      if (rnd() < 0.00002) pickup = Date.UTC(2008, 11, 31, 23) / 1000 + Math.floor(rnd() * 7200);
      chunk += trip(rnd, pickup, unknownProvider);
      if (++inChunk === chunkRows) {
        yield chunk;
        chunk = '';
        inChunk = 0;
      }
    }
    if (chunk) yield chunk;
  }
}

function pick<T>(rnd: () => number, values: readonly T[], weights: readonly number[]): T {
  let u = rnd() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < values.length; i++) if ((u -= weights[i]) < 0) return values[i];
  return values[values.length - 1];
}

function trip(rnd: () => number, pickup: number, unknownProvider: boolean): string {
  const vendor = unknownProvider ? '' : String(pick(rnd, [1, 2], [31, 69]));
  const rate = unknownProvider ? 1 : pick(rnd, [1, 2, 3, 4, 5, 99], [963, 23, 2, 2, 10, 0.5]);
  // Log-normal distances with a median near 1.7 miles; airport flat fares are long.
  let miles = rate === 2 ? 16 + 6 * rnd() : Math.min(60, Math.exp(0.5 + 0.8 * gaussian(rnd)));
  if (rnd() < 0.011) miles = 0;
  let seconds = Math.round((miles / (7 + 8 * rnd())) * 3600 + 90 + 200 * rnd());
  if (rnd() < 0.0005) seconds = -Math.round(30 + 600 * rnd());
  const payment = unknownProvider ? 0 : pick(rnd, [1, 2, 3, 4], [705, 275, 15, 5]);
  let fare = rate === 2 ? 52 : Math.round((2.5 + 2.5 * miles + seconds / 240) * 2) / 2;
  const refund = rnd() < 0.003;
  if (refund) fare = -fare;
  const hourOfDay = Math.floor((((pickup % 86400) + 86400) % 86400) / 3600);
  let extra = unknownProvider ? (rnd() < 0.5 ? 2.75 : 0) : hourOfDay >= 20 || hourOfDay < 6 ? 0.5 : hourOfDay >= 16 ? 1 : 0;
  const congestion = unknownProvider ? undefined : rnd() < 0.86 ? 2.5 : 0;
  if (vendor === '1' && congestion === 2.5) extra += 2.5;
  const sign = refund ? -1 : 1;
  const tip = payment === 1 ? Math.round(Math.abs(fare) * (0.1 + 0.2 * rnd()) * 100) / 100 : unknownProvider && rnd() < 0.3 ? Math.round(rnd() * 600) / 100 : 0;
  const tolls = rnd() < 0.045 ? 6.12 : 0;
  const total = fare + extra + sign * 0.5 + tip + tolls + sign * 0.3 + (congestion && vendor !== '1' ? congestion : 0);
  const passengers = unknownProvider ? '' : String(pick(rnd, [1, 2, 3, 4, 5, 6, 0], [710, 140, 40, 20, 44, 26, 20]));
  const flag = unknownProvider ? '' : rnd() < 0.011 ? 'Y' : 'N';
  const zone = () => (rnd() < 0.7 ? BUSY_ZONES[Math.floor(rnd() * BUSY_ZONES.length)] : 1 + Math.floor(rnd() * 265));
  return (
    [
      vendor,
      timestamp(pickup),
      timestamp(pickup + seconds),
      passengers,
      distance(miles),
      unknownProvider ? '' : rate,
      flag,
      zone(),
      zone(),
      unknownProvider ? '' : payment,
      amount(fare),
      amount(extra),
      amount(sign * 0.5),
      amount(tip),
      amount(tolls),
      amount(sign * 0.3),
      amount(total),
      congestion === undefined ? '' : amount(congestion),
    ].join(',') + '\n'
  );
}

function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
