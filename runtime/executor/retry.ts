import { backoffSeconds } from '../abortable-sleep.js';

/** How a failed block is retried (Mage's retry_config). */
export interface RetryConfig {
  retries: number;
  /** Seconds before the first retry. */
  delay: number;
  maxDelay: number;
  exponentialBackoff: boolean;
}

const DEFAULTS: RetryConfig = { retries: 0, delay: 5, maxDelay: 60, exponentialBackoff: true };

function read(value: unknown): Partial<RetryConfig> {
  if (value === null || typeof value !== 'object') return {};
  const raw = value as Record<string, unknown>;
  const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const config: Partial<RetryConfig> = {};
  if (number(raw.retries) !== undefined) config.retries = Math.floor(number(raw.retries)!);
  if (number(raw.delay) !== undefined) config.delay = number(raw.delay);
  if (number(raw.max_delay) !== undefined) config.maxDelay = number(raw.max_delay);
  if (typeof raw.exponential_backoff === 'boolean') config.exponentialBackoff = raw.exponential_backoff;
  return config;
}

/** Merges retry_config as Mage does: project, then pipeline, then block; blank fields inherit. */
export function mergeRetryConfig(...levels: unknown[]): RetryConfig {
  return levels.reduce<RetryConfig>((merged, level) => ({ ...merged, ...read(level) }), { ...DEFAULTS });
}

/** Seconds to wait before retry number `retry` (1 for the first). */
export function retryDelay(config: RetryConfig, retry: number): number {
  return config.exponentialBackoff ? backoffSeconds(retry, { first: config.delay, max: config.maxDelay }) : Math.min(config.delay, config.maxDelay);
}
