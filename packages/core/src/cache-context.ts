import type { WriteSpec } from './cache-options.ts';
import type { GuardedStore } from './guarded-store.ts';
import type { SingleFlight } from './single-flight.ts';
import type { CacheStats } from './stats.ts';
import type { Clock } from './store.ts';

/** A region resolved at setup: its store and its write defaults. */
export interface ResolvedRegion {
  readonly store: GuardedStore;
  readonly defaults: WriteSpec;
}

/** What every view of one cache (namespaces, regions, store views) shares. */
export interface CacheContext {
  readonly now: Clock;
  readonly stats: CacheStats;
  /** Never throws: a failing `onError` is ignored. */
  readonly report: (error: Error) => void;
  /** The `prefix` option: stamps live under it, shared by every namespace. */
  readonly rootPrefix: string;
  readonly stores: ReadonlyMap<string, GuardedStore>;
  readonly regions: ReadonlyMap<string, ResolvedRegion>;
  /** The cache-wide write defaults (`ttl`, stale windows). */
  readonly defaults: WriteSpec;
  readonly flights: SingleFlight;
  /** Functions memoized under a name taken from `fn.name`, to refuse a second function with it. */
  readonly derivedNames: Map<string, Function>;
}
