import type { CacheContext } from './cache-context.ts';
import type { WriteSpec } from './cache-options.ts';
import { isEnvelope } from './entry.ts';
import { type GuardedStore, isThenable } from './guarded-store.ts';
import { lookup } from './lookup.ts';
import { snapshotStamps } from './tags.ts';
import { writeStamped } from './write.ts';

/**
 * Get-or-compute for one store key. A fresh value is returned as is. A value within the
 * stale-while-revalidate window is returned at once while one background call refreshes it.
 * Otherwise `fn` runs once per key in this process however many callers are waiting (they share its
 * result or its error); if it throws and the stale value is within the stale-if-error window, that
 * value is returned instead. A result of `undefined` is returned but not stored.
 */
export async function wrapKey<T>(
  ctx: CacheContext,
  store: GuardedStore,
  key: string,
  fn: () => T | PromiseLike<T>,
  spec: WriteSpec,
  stampKeys: readonly string[] | undefined,
): Promise<T> {
  const { stats } = ctx;
  let raw = store.get(key);
  if (isThenable(raw)) raw = await raw;
  if (raw !== undefined && !isEnvelope(raw)) {
    // A plain value is fresh until the store expires it: the hit path allocates nothing more.
    stats.hits++;
    return raw as T;
  }
  let found = lookup(store, raw, ctx.now());
  if (isThenable(found)) found = await found;
  if (found !== undefined) {
    if (found.staleMs < 0) {
      stats.hits++;
      return found.value as T;
    }
    if (found.staleMs < spec.swr * 1000) {
      stats.stale++;
      refresh(ctx, store, key, fn, spec, stampKeys);
      return found.value as T;
    }
  }
  const flightKey = `${store.name}\n${key}`;
  let flight = ctx.flights.join<T>(flightKey);
  if (flight === undefined) {
    stats.misses++;
    flight = ctx.flights.run(flightKey, () => compute(ctx, store, key, fn, spec, stampKeys));
  } else {
    stats.coalesced++;
  }
  try {
    return await flight;
  } catch (error) {
    if (found !== undefined && found.staleMs < spec.sie * 1000) {
      stats.stale++;
      return found.value as T;
    }
    throw error;
  }
}

function refresh<T>(
  ctx: CacheContext,
  store: GuardedStore,
  key: string,
  fn: () => T | PromiseLike<T>,
  spec: WriteSpec,
  stampKeys: readonly string[] | undefined,
): void {
  const flightKey = `${store.name}\n${key}`;
  if (ctx.flights.join(flightKey) !== undefined) return;
  ctx.stats.refreshes++;
  ctx.flights
    .run(flightKey, () => compute(ctx, store, key, fn, spec, stampKeys))
    .catch((error) => {
      // Nobody awaits a background refresh: its failure is reported, and the stale value stays.
      ctx.report(
        new Error(`cache.wrap: background refresh of ${JSON.stringify(key)} failed`, {
          cause: error,
        }),
      );
    });
}

async function compute<T>(
  ctx: CacheContext,
  store: GuardedStore,
  key: string,
  fn: () => T | PromiseLike<T>,
  spec: WriteSpec,
  stampKeys: readonly string[] | undefined,
): Promise<T> {
  const { stats } = ctx;
  // Stamps are read before computing: an invalidation that lands while fn runs then wins.
  const stamps = stampKeys === undefined ? undefined : await snapshotStamps(store, stampKeys);
  stats.computes++;
  let value: T;
  try {
    value = await fn();
  } catch (error) {
    stats.computeErrors++;
    throw error;
  }
  if (value !== undefined) {
    // Stamps that could not be read make the value unstorable: remove rather than keep an older one.
    await (stampKeys !== undefined && stamps === undefined
      ? store.delete(key)
      : writeStamped(store, stats, key, value, spec, stamps, ctx.now));
  }
  return value;
}
