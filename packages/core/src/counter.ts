import type { CacheView } from './cache-view.ts';
import { describeValue } from './check-option.ts';
import { type Duration, parseDuration } from './duration.ts';

/**
 * `increment`/`decrement`: the store's own atomic increment when it has one (a failure resolves
 * `undefined`), else read-modify-write through the cache (not atomic across callers). A counter is
 * a plain integer in the store, so `set(key, 5)` followed by `increment(key)` works everywhere.
 */
export async function countKey(
  view: CacheView,
  method: string,
  key: string,
  delta: number,
  ttl: Duration | undefined,
): Promise<number | undefined> {
  if (!Number.isSafeInteger(delta)) {
    throw new TypeError(`${method}: delta must be a safe integer, got ${describeValue(delta)}`);
  }
  const seconds = ttl === undefined ? view.defaults.ttl : parseDuration(ttl, method, 'ttl');
  const full = view.prefix + key;
  const atomic = view.backend.increment(full, delta, seconds);
  if (atomic !== undefined) {
    const next = await atomic;
    return Number.isNaN(next) ? undefined : next;
  }
  const current = await view.get(key);
  if (current !== undefined && !Number.isSafeInteger(current)) {
    throw new TypeError(`${method}: the value of ${JSON.stringify(key)} is not an integer`);
  }
  const next = ((current as number | undefined) ?? 0) + delta;
  await view.backend.set(full, next, seconds);
  return next;
}
