import type { Cache } from './cache.ts';
import { CacheView } from './cache-view.ts';
import { readFresh } from './lookup.ts';

/**
 * Reads `key` without waiting when the cache's store answers synchronously (the memory store): the
 * fresh value, or `undefined` on a miss, returned as is. When the store (or a tag check) answers
 * asynchronously, or `cache` is not a cache from `createCache`, returns a promise of the same, as
 * `get` does. For callers that cannot await, such as a template engine's synchronous render.
 * Counts a hit or a miss as `get` does.
 *
 * @example
 * const html = getNow<string>(cache, 'sidebar');
 * if (typeof html === 'string') return html; // answered at once
 */
export function getNow<T = unknown>(
  cache: Cache,
  key: string,
): T | undefined | Promise<T | undefined> {
  if (!(cache instanceof CacheView)) return cache.get<T>(key);
  const { backend, ctx } = cache;
  const raw = backend.get(cache.prefix + key);
  // The guarded store hands back a native promise whenever the store answered asynchronously.
  if (raw instanceof Promise) {
    return raw.then((value) => readFresh(backend, ctx.stats, value, ctx.now)) as Promise<
      T | undefined
    >;
  }
  return readFresh(backend, ctx.stats, raw, ctx.now) as T | undefined | Promise<T | undefined>;
}
