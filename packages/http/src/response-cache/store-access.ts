import { type Cache, createCache, createMemoryStore, localRead, type Store } from '@larder/core';
import type { ResolvedOptions } from './options.ts';
import type { EntryStorage } from './storage.ts';

let unscoped: Store | undefined;
const scoped = new WeakMap<object, Store>();

function memoryStore(): Store {
  return createMemoryStore({ maxEntries: 100_000, maxBytes: 512 * 1024 * 1024 });
}

/**
 * The memory store the response caches without a `store` option use for one application (`scope`,
 * e.g. an Express or Koa app), made on first use: an app-wide and a per-route `responseCache()` of
 * one app see the same entries, while two apps in one process never see each other's. Without a
 * scope, one process-wide store. Each holds at most 100 000 entries and 512 MiB (as the memory
 * store measures them), least recently used first out.
 */
export function defaultResponseStore(scope?: object): Store {
  if (scope === undefined) {
    unscoped ??= memoryStore();
    return unscoped;
  }
  let store = scoped.get(scope);
  if (store === undefined) {
    store = memoryStore();
    scoped.set(scope, store);
  }
  return store;
}

/** Escapes a literal key prefix for the facade's `clear` pattern (where `*`, `?`, `[`, `\` are glob syntax). */
function literal(prefix: string): string {
  return prefix.replace(/[\\*?[]/g, '\\$&');
}

/**
 * The storage an engine reads and writes: the core cache facade over the store, so that tags, the
 * per-operation timeout and store-failure reporting live in one place. Keys are written as the
 * engine builds them (the facade adds no prefix); tag stamps live under the facade's root, so a
 * tag means the same to every cache on the store.
 */
export function openStorage(
  options: ResolvedOptions,
  store: Store,
  report: (error: Error) => void,
): EntryStorage {
  const cache: Cache = createCache({
    stores: { [store.name ?? 'responseCache']: store },
    timeout: options.storeTimeout,
    onError: report,
    now: options.now,
  });
  // What a store core built holds in process memory (the memory store, a near cache's tier) is
  // read synchronously and never throws: read it directly so a hit needs no promise. A local miss
  // of a near cache, and any other store (a decorated or copied one included), goes through the
  // facade's timeout and error guard. The facade stores an untagged value as itself; a tagged one
  // is an envelope (an array) whose tag stamps the facade must check, so those go through it.
  const local = localRead(store);
  return {
    get:
      local !== undefined
        ? (key) => {
            const raw = local.read(key);
            if (raw === undefined ? !local.final : Array.isArray(raw)) return cache.get(key);
            return raw;
          }
        : (key) => cache.get(key),
    set: (key, value, ttl, tags) =>
      cache.set(key, value, tags.length > 0 ? { ttl, tags } : { ttl }),
    delete: (key) => cache.delete(key).then(() => undefined),
    clear: (prefix) => cache.clear(literal(prefix)),
    invalidateTags: (tags) => cache.invalidateTags(tags),
    shared: { store, timeoutMs: options.storeTimeout * 1000, report, now: options.now },
  };
}
