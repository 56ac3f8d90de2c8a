/**
 * Locks shared by every run in this process, held by block workers. DuckDB locks a database file
 * against other processes, but not against other threads of the same one: two workers of a backfill
 * writing the embedded warehouse at once would corrupt it. A lock held by a worker that dies (a
 * timeout, a cancel) is released with it.
 */
const holders = new Map<string, { owner: object; waiting: { owner: object; grant: () => void }[] }>();

/** Waits until `owner` holds the lock `name`. */
export function acquireLock(name: string, owner: object): Promise<void> {
  const lock = holders.get(name);
  if (!lock) {
    holders.set(name, { owner, waiting: [] });
    return Promise.resolve();
  }
  return new Promise((grant) => lock.waiting.push({ owner, grant }));
}

/** Releases `name` if `owner` holds it (and stops `owner` waiting for it), handing it to the next waiter. */
export function releaseLock(name: string, owner: object): void {
  const lock = holders.get(name);
  if (!lock) return;
  lock.waiting = lock.waiting.filter((w) => w.owner !== owner);
  if (lock.owner !== owner) return;
  const next = lock.waiting.shift();
  if (!next) {
    holders.delete(name);
    return;
  }
  lock.owner = next.owner;
  next.grant();
}

/** Releases every lock `owner` holds or waits for. */
export function releaseLocksOf(owner: object): void {
  for (const name of [...holders.keys()]) releaseLock(name, owner);
}
