import { type Cache, createCache, createMemoryStore, type Store } from '@larder/core';
import type { ResolvedOptions } from './options.ts';
import type { EntryStorage } from './storage.ts';

let shared: Store | undefined;

/**
 * The memory store every response cache without a `store` option shares in this process, made on
 * first use, so that an app-wide and a per-route `responseCache()` see the same entries. It holds
 * at most 100 000 entries and 512 MiB (as the memory store measures them), least recently used first out.
 */
export function defaultResponseStore(): Store {
  shared ??= createMemoryStore({ maxEntries: 100_000, maxBytes: 512 * 1024 * 1024 });
  return shared;
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
  report: (error: Error) => void,
): EntryStorage {
  const store = options.store ?? defaultResponseStore();
  const cache: Cache = createCache({
    stores: { [store.name ?? 'responseCache']: store },
    timeout: options.storeTimeout,
    onError: report,
    now: options.now,
  });
  // The memory store answers synchronously and never throws: read it directly so a hit needs no
  // promise. The facade stores an untagged value as itself; a tagged one is an envelope (an
  // array) whose tag stamps the facade must check, so those go through it.
  const direct = store.name === 'memory' && store.capabilities?.serializes === false;
  return {
    get: direct
      ? (key) => {
          const raw = store.get(key);
          return Array.isArray(raw) ? cache.get(key) : raw;
        }
      : (key) => cache.get(key),
    set: (key, value, ttl, tags) =>
      cache.set(key, value, tags.length > 0 ? { ttl, tags } : { ttl }),
    clear: (prefix) => cache.clear(literal(prefix)),
    invalidateTags: (tags) => cache.invalidateTags(tags),
  };
}
