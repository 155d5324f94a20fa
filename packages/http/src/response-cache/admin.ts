import type { ResponseCacheAdmin, ResponseCacheEngine } from './types.ts';

/** The admin API of an engine as plain bound functions, for a middleware to carry. */
export function bindAdmin(engine: ResponseCacheEngine): ResponseCacheAdmin {
  return {
    invalidate: (key) => engine.invalidate(key),
    invalidatePath: (path) => engine.invalidatePath(path),
    invalidateTags: (tags) => engine.invalidateTags(tags),
    invalidatePrefix: (prefix) => engine.invalidatePrefix(prefix),
    clear: () => engine.clear(),
    stats: () => engine.stats(),
  };
}
