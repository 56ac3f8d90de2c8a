/** The longest delay setTimeout takes (2^31 - 1 ms, 24.8 days); past it Node fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer that is cancelled with `clear()`. */
export interface LongTimer {
  clear(): void;
}

/**
 * setTimeout for any delay: a block timeout of 30 days used to fail the block at once, since Node
 * runs a longer timer after 1 ms. Longer delays wait in steps. An infinite delay never fires.
 */
export function setLongTimeout(callback: () => void, ms: number): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  const due = Date.now() + ms;
  const arm = () => {
    const left = due - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(callback, Math.max(0, left));
  };
  if (Number.isFinite(ms)) arm();
  return { clear: () => clearTimeout(timer) };
}

/** Exponential backoff: `first` seconds before retry 1, doubling each time, never more than `max`. */
export function backoffSeconds(retry: number, options: { first: number; max?: number }): number {
  return Math.min(options.first * 2 ** (retry - 1), options.max ?? Infinity);
}

/** Waits `seconds`, or less when `signal` aborts (it then resolves at once, without throwing). */
export function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setLongTimeout(resolve, seconds * 1000);
    signal.addEventListener('abort', () => (timer.clear(), resolve()), { once: true });
  });
}
