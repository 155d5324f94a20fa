import { isEnvelope, isWellFormed } from './entry.ts';
import { type GuardedStore, isThenable } from './guarded-store.ts';
import type { CacheStats } from './stats.ts';
import type { Clock } from './store.ts';
import { stampsCurrent } from './tags.ts';

/** A usable stored value: `staleMs` is how long ago it stopped being fresh (negative while fresh). */
export interface Found {
  readonly value: unknown;
  readonly staleMs: number;
}

/**
 * Interprets what a store returned for a key at time `now`: `undefined` when there is nothing
 * servable (absent, past its serve-until time, a malformed envelope, a tag or function stamp that
 * changed). A value stored without an envelope is fresh until the store expires it.
 */
export function lookup(
  store: GuardedStore,
  raw: unknown,
  now: number,
): Found | undefined | Promise<Found | undefined> {
  if (raw === undefined) return undefined;
  if (!isEnvelope(raw)) return { value: raw, staleMs: -1 };
  if (!isWellFormed(raw) || !(now < raw[3])) return undefined;
  const found: Found = { value: raw[1], staleMs: now - raw[2] };
  const stamps = raw[4];
  if (stamps === undefined) return found;
  const current = stampsCurrent(store, stamps);
  return isThenable(current)
    ? current.then((ok) => (ok ? found : undefined))
    : current
      ? found
      : undefined;
}

/**
 * The value a plain read (`get`, `getMany`, `has`) returns for what the store gave: fresh values
 * only, counted as a hit or a miss. Stays synchronous for a value stored without tags.
 */
export function readFresh(
  store: GuardedStore,
  stats: CacheStats,
  raw: unknown,
  now: Clock,
): unknown {
  if (raw === undefined) {
    stats.misses++;
    return undefined;
  }
  if (!isEnvelope(raw)) {
    stats.hits++;
    return raw;
  }
  const found = lookup(store, raw, now());
  return isThenable(found) ? found.then((f) => count(stats, f)) : count(stats, found);
}

function count(stats: CacheStats, found: Found | undefined): unknown {
  if (found === undefined || found.staleMs >= 0) {
    stats.misses++;
    return undefined;
  }
  stats.hits++;
  return found.value;
}
