import { randomUUID } from 'node:crypto';
import type { StoreLock } from '@larder/core';
import type { RedisRunner } from './redis-runner.ts';
import { RELEASE } from './scripts.ts';

/**
 * Takes the lock at Redis key `lockKey` for `px` milliseconds with `SET NX PX` and a random token,
 * or resolves `undefined` when it is held. `release()` deletes it only while it still holds that
 * token, so a late owner never frees someone else's lock.
 */
export async function takeLock(
  runner: RedisRunner,
  lockKey: string,
  px: string,
): Promise<StoreLock | undefined> {
  const token = randomUUID();
  let taken: string | null;
  try {
    taken = await runner.call((c) => c.set(lockKey, token, 'PX', px, 'NX'));
  } catch (error) {
    // A SET that timed out may still run: a release sent after it on the same connection runs
    // after it, so the lock never outlives a caller that gave up.
    runner.connection
      .then((c) => (c.status === 'ready' ? c.eval(RELEASE, 1, lockKey, token) : undefined))
      .catch(() => {});
    throw error;
  }
  if (taken !== 'OK') return undefined;
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= runner.call((c) => c.eval(RELEASE, 1, lockKey, token)).then(() => {});
      return released;
    },
  };
}
