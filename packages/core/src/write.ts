import type { WriteSpec } from './cache-options.ts';
import { isEnvelope, makeEntry } from './entry.ts';
import type { GuardedStore } from './guarded-store.ts';
import type { CacheStats } from './stats.ts';
import type { Awaitable, Clock } from './store.ts';
import { snapshotStamps } from './tags.ts';

/**
 * The store TTL of a write: the fresh time plus the longest stale window, so the store drops the
 * entry once no reader could use it; `undefined` leaves it to the store's default.
 */
export function storeTtl(spec: WriteSpec): number | undefined {
  return spec.ttl === undefined ? undefined : spec.ttl + Math.max(spec.swr, spec.sie);
}

/**
 * What goes into the store for `value`: the value itself when nothing needs recording (no stale
 * window, no stamps), else an envelope with its fresh-until and serve-until times.
 */
export function encodeValue(
  value: unknown,
  spec: WriteSpec,
  stamps: string[] | undefined,
  now: Clock,
): unknown {
  const stale = Math.max(spec.swr, spec.sie);
  if (stamps === undefined && stale === 0 && !isEnvelope(value)) return value;
  const freshUntil = spec.ttl === undefined ? Number.POSITIVE_INFINITY : now() + spec.ttl * 1000;
  return makeEntry(value, freshUntil, freshUntil + stale * 1000, stamps);
}

/**
 * Writes one value. `undefined` reads as a miss, so writing it removes the key. With stamp keys
 * (tags) the current stamps are read first; if they cannot be established the key is removed
 * instead, so no outdated value survives.
 */
export function writeValue(
  store: GuardedStore,
  stats: CacheStats,
  key: string,
  value: unknown,
  spec: WriteSpec,
  stampKeys: readonly string[] | undefined,
  now: Clock,
): Awaitable<void> {
  if (value === undefined || stampKeys === undefined) {
    return writeStamped(store, stats, key, value, spec, undefined, now);
  }
  return snapshotStamps(store, stampKeys).then((stamps) =>
    stamps === undefined
      ? deleteKey(store, key)
      : writeStamped(store, stats, key, value, spec, stamps, now),
  );
}

/** Writes a value with stamps already taken (`undefined`: the value has none). */
export function writeStamped(
  store: GuardedStore,
  stats: CacheStats,
  key: string,
  value: unknown,
  spec: WriteSpec,
  stamps: string[] | undefined,
  now: Clock,
): Awaitable<void> {
  if (value === undefined) return deleteKey(store, key);
  stats.writes++;
  return store.set(key, encodeValue(value, spec, stamps, now), storeTtl(spec));
}

function deleteKey(store: GuardedStore, key: string): Awaitable<void> {
  const removed = store.delete(key);
  return removed instanceof Promise ? removed.then(noop) : undefined;
}

function noop(): void {}
