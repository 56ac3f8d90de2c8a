import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acquireLock, releaseLock, releaseLocksOf } from '../../../runtime/executor/process-locks.ts';

test('a process lock is held by one owner at a time, in order, and released with a dead owner', async () => {
  const [a, b, c] = [{}, {}, {}];
  const order: string[] = [];
  await acquireLock('w', a);
  const second = acquireLock('w', b).then(() => order.push('b'));
  const third = acquireLock('w', c).then(() => order.push('c'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, [], 'nobody gets it while a holds it');
  releaseLock('w', c); // c gives up waiting; it never gets the lock
  releaseLocksOf(a); // a dies holding it
  await second;
  assert.deepEqual(order, ['b']);
  releaseLock('w', b);
  await acquireLock('w', a);
  releaseLock('w', a);
  assert.equal(await Promise.race([third.then(() => 'granted'), new Promise((resolve) => setImmediate(() => resolve('waiting')))]), 'waiting');
});
