import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffSeconds } from '../../../runtime/abortable-sleep.ts';
import { mergeRetryConfig, retryDelay } from '../../../runtime/executor/retry.ts';

test('one backoff: doubling from the first delay, capped; retry_config uses it when exponential_backoff is set', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((retry) => backoffSeconds(retry, { first: 5, max: 30 })),
    [5, 10, 20, 30],
  );
  assert.deepEqual(
    [1, 2, 3].map((retry) => backoffSeconds(retry, { first: 0.05, max: 2 })),
    [0.05, 0.1, 0.2],
  );
  const exponential = mergeRetryConfig({ retries: 3, delay: 5, exponential_backoff: true, max_delay: 12 });
  assert.deepEqual(
    [1, 2, 3].map((retry) => retryDelay(exponential, retry)),
    [5, 10, 12],
  );
  const flat = mergeRetryConfig({ retries: 3, delay: 5, max_delay: 3 });
  assert.deepEqual(
    [1, 2].map((retry) => retryDelay(flat, retry)),
    [3, 3],
  );
});
