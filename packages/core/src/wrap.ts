import type { CacheContext } from './cache-context.ts';
import type { WriteSpec } from './cache-options.ts';
import { isEnvelope } from './entry.ts';
import { type GuardedStore, isThenable } from './guarded-store.ts';
import { lookup } from './lookup.ts';
import {
  canShareFlights,
  joinSharedFlight,
  releaseLock,
  type SharedFound,
} from './shared-flight.ts';
import { snapshotStamps } from './tags.ts';
import { writeStamped } from './write.ts';

/** One get-or-compute call: everything the slow path, a refresh and a computation need. */
interface Job<T> {
  readonly ctx: CacheContext;
  readonly store: GuardedStore;
  readonly key: string;
  readonly fn: () => T | PromiseLike<T>;
  readonly spec: WriteSpec;
  readonly stampKeys: readonly string[] | undefined;
}

/**
 * Get-or-compute for one store key. A fresh value is returned as is. A value within the
 * stale-while-revalidate window is returned at once while one background call refreshes it.
 * Otherwise `fn` runs once per key in this process however many callers are waiting (they share its
 * result or its error); if it throws and the stale value is within the stale-if-error window, that
 * value is returned instead. A result of `undefined` is returned but not stored.
 */
export function wrapKey<T>(
  ctx: CacheContext,
  store: GuardedStore,
  key: string,
  fn: () => T | PromiseLike<T>,
  spec: WriteSpec,
  stampKeys: readonly string[] | undefined,
): Promise<T> {
  const raw = store.get(key);
  // The hot path, kept out of the async function: a plain value answered synchronously (the memory
  // store) is fresh until the store expires it, and costs one settled promise.
  if (raw !== undefined && !(raw instanceof Promise) && !isEnvelope(raw)) {
    ctx.stats.hits++;
    return Promise.resolve(raw as T);
  }
  return wrapSlow({ ctx, store, key, fn, spec, stampKeys }, raw);
}

async function wrapSlow<T>(job: Job<T>, answer: unknown): Promise<T> {
  const { ctx, store, key, spec } = job;
  const { stats } = ctx;
  // The guarded store answers with a native promise whenever the store was asynchronous.
  const raw = answer instanceof Promise ? await answer : answer;
  if (raw !== undefined && !isEnvelope(raw)) {
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
      refresh(job);
      return found.value as T;
    }
  }
  const flightKey = `${store.name}\n${key}`;
  let flight = ctx.flights.join<T>(flightKey);
  if (flight === undefined) {
    stats.misses++;
    flight = ctx.flights.run(flightKey, () => compute(job));
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

function refresh<T>(job: Job<T>): void {
  const { ctx, store, key } = job;
  const flightKey = `${store.name}\n${key}`;
  if (ctx.flights.join(flightKey) !== undefined) return;
  ctx.stats.refreshes++;
  ctx.flights
    .run(flightKey, () => compute(job))
    .catch((error) => {
      // Nobody awaits a background refresh: its failure is reported, and the stale value stays.
      ctx.report(
        new Error(`cache.wrap: background refresh of ${JSON.stringify(key)} failed`, {
          cause: error,
        }),
      );
    });
}

/**
 * How long `wrap` waits for another process computing the same key (on a shared store with locks)
 * before computing itself, ms; also the lifetime of the store lock taken for it.
 */
export const SHARED_WAIT_MS = 10_000;

/** Computes once per process; on a shared store with locks, about once across processes too. */
async function compute<T>(job: Job<T>): Promise<T> {
  const { ctx, store, key } = job;
  if (!canShareFlights(store.raw)) return computeHere(job);
  const turn = await joinSharedFlight(store.raw, key, () => readShared(job), {
    deadlineMs: SHARED_WAIT_MS,
    timeoutMs: store.timeoutMs,
    report: ctx.report,
  });
  if (turn.found !== undefined) {
    ctx.stats.coalesced++;
    return turn.found.value;
  }
  try {
    return await computeHere(job);
  } finally {
    if (turn.lock !== undefined) releaseLock(turn.lock, ctx.report);
  }
}

/** One look at the store for a fresh value another process stored. */
async function readShared<T>({ ctx, store, key }: Job<T>): Promise<SharedFound<T> | undefined> {
  const raw = await store.get(key);
  let found = lookup(store, raw, ctx.now());
  if (isThenable(found)) found = await found;
  return found !== undefined && found.staleMs < 0 ? { value: found.value as T } : undefined;
}

async function computeHere<T>({ ctx, store, key, fn, spec, stampKeys }: Job<T>): Promise<T> {
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
