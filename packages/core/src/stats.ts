/** Counters kept by a cache (shared by its namespaces, regions and store views); a snapshot is returned by `stats()`. */
export interface CacheStats {
  /** Reads that found a fresh value (`get`, `getMany`, `has`, `wrap`, memoized calls). */
  hits: number;
  /** Reads that found nothing usable: absent, expired, invalidated by a tag, undecodable, or a store failure. */
  misses: number;
  /** Stale values served by `wrap` (stale-while-revalidate or stale-if-error). */
  stale: number;
  /** `wrap` calls that waited for another caller's computation of the same key instead of running `fn`. */
  coalesced: number;
  /** Calls of a `wrap`/`memoize` function, background refreshes included. */
  computes: number;
  /** Calls of a `wrap`/`memoize` function that threw or rejected. */
  computeErrors: number;
  /** Background refreshes started by stale-while-revalidate. */
  refreshes: number;
  /** Values written (each key of `setMany` counts once). */
  writes: number;
  /** Store operations that failed or timed out (each also went to `onError`). */
  errors: number;
  /** Store operations abandoned after `timeout` (included in `errors`). */
  timeouts: number;
}

/** A zeroed set of counters. */
export function createStats(): CacheStats {
  return {
    hits: 0,
    misses: 0,
    stale: 0,
    coalesced: 0,
    computes: 0,
    computeErrors: 0,
    refreshes: 0,
    writes: 0,
    errors: 0,
    timeouts: 0,
  };
}
