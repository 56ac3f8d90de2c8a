/** The names a block's templates can use, shared by the executor and the language server. */

/** The variables every run gives its blocks besides the pipeline's own, with what they hold (for completion and docs). */
export const RUN_VARIABLES: Record<string, string> = {
  execution_date: "The run's execution date, an ISO timestamp (a trigger's schedule time, a backfill's date)",
  ds: 'The execution date as YYYY-MM-DD',
  hr: 'The hour of the execution date, 00 to 23',
  interval_start_datetime: "The start of the run's interval, an ISO timestamp",
  interval_end_datetime: "The end of the run's interval, an ISO timestamp",
  interval_seconds: "The length of the run's interval in seconds",
  interval_start_datetime_previous: 'The start of the previous interval (trigger and backfill runs)',
  pipeline_uuid: 'The uuid of the pipeline',
  pipeline_run_id: "The run's id",
  env: 'The environment: ENV, else dev',
  trigger_name: 'The name of the trigger that started the run',
};

/** The one filter SQL templates know: `{{ variables('v') | sql_literal }}` is the value as a quoted SQL literal, never SQL text. */
export const SQL_LITERAL_FILTER = 'sql_literal';

/** The name under which an upstream output is a view in a SQL block's DuckDB: `df_1` is the first. */
export function upstreamView(index: number): string {
  return `df_${index + 1}`;
}
