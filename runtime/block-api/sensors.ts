import type { BlockContext } from 'pipewright';
import { blockEnvironment } from './environment.js';

/** A value, or a function of the block's context that gives it (for names that depend on the run's date). */
type PerRun<T> = T | ((ctx: BlockContext) => T);

/** A ready-made sensor check: what `sensor(...)` takes. */
type Check = (...inputsThenContext: unknown[]) => Promise<boolean>;

function value<T>(given: PerRun<T>, ctx: BlockContext): T {
  return typeof given === 'function' ? (given as (ctx: BlockContext) => T)(ctx) : given;
}

function check(name: string, body: (ctx: BlockContext) => Promise<boolean>): Check {
  return (...args) => {
    const ctx = args.at(-1) as BlockContext | undefined;
    if (!ctx || typeof ctx !== 'object' || !('io' in ctx)) throw new Error(`sensors.${name}(...) is a sensor's check: use it as "export default sensor(sensors.${name}({ ... }))"`);
    return body(ctx);
  };
}

/** Ready-made checks for sensor blocks, as Mage's sensor templates: `export default sensor(sensors.gcsObjectExists({ ... }))`. */
export const SENSORS = {
  /** True once an object exists in a bucket (the run's profile, or `profile`). */
  gcsObjectExists(options: { bucket: PerRun<string>; object: PerRun<string>; profile?: string }): Check {
    return check('gcsObjectExists', async (ctx) => {
      const bucket = value(options.bucket, ctx);
      const object = value(options.object, ctx);
      const gcs = await ctx.io.gcs(options.profile);
      const found = (await gcs.list({ bucket, prefix: object })).some((o) => o.name === object);
      ctx.log.info(found ? `gs://${bucket}/${object} exists` : `gs://${bucket}/${object} does not exist yet`);
      return found;
    });
  },

  /** True once a query on PostgreSQL or BigQuery returns at least one row. */
  queryReturnsRows(options: { provider: 'postgres' | 'bigquery'; sql: PerRun<string>; profile?: string }): Check {
    return check('queryReturnsRows', async (ctx) => {
      const sql = value(options.sql, ctx);
      let rows: number;
      if (options.provider === 'postgres') rows = (await (await ctx.io.postgres(options.profile)).query(sql)).length;
      else if (options.provider === 'bigquery') rows = await (await (await ctx.io.bigquery(options.profile)).query(sql)).count();
      else throw new Error(`sensors.queryReturnsRows({ provider }) is postgres or bigquery, got ${String(options.provider)}`);
      ctx.log.info(`The query returned ${rows} row${rows === 1 ? '' : 's'}`);
      return rows > 0;
    });
  },

  /**
   * True once a run of another pipeline for the same execution_date (or `executionDate`) has completed,
   * as Mage's check_status: a whole run, not one started for some of its blocks.
   */
  pipelineRunSucceeded(options: { pipeline: string; executionDate?: PerRun<string> }): Check {
    return check('pipelineRunSucceeded', async (ctx) => {
      const { readHistory } = await import('../history/run-history.js');
      const wanted = Date.parse(options.executionDate === undefined ? ctx.vars.execution_date : value(options.executionDate, ctx));
      if (Number.isNaN(wanted)) throw new Error(`sensors.pipelineRunSucceeded: "${String(options.executionDate)}" is not a date`);
      const runs = readHistory(blockEnvironment('sensors.pipelineRunSucceeded').projectRoot).filter(
        (r) => r.pipeline === options.pipeline && Date.parse(r.executionDate) === wanted,
      );
      const done = runs.some((r) => r.status === 'completed' && !r.partial);
      ctx.log.info(
        `${options.pipeline} for ${new Date(wanted).toISOString()}: ${done ? 'a run completed' : runs.length === 0 ? 'no run yet' : `latest run ${runs.at(-1)!.status}`}`,
      );
      return done;
    });
  },
};
