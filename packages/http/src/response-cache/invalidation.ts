import { canonicalQuery, pathPrefixScope, pathScope } from './cache-key.ts';
import type { ResolvedOptions } from './options.ts';
import type { Spaces } from './space.ts';
import type { ResponseCacheAdmin, ResponseCacheStats } from './types.ts';

/**
 * Invalidation by key, path, path prefix, tag or everything. Keys open with the path (see
 * cache-key.ts), so each form is one prefix clear on the store, or the facade's tag invalidation:
 * no in-process index, so it works across processes sharing a store. Without a `store` option it
 * reaches every default (per-application) store this cache has served.
 */
export abstract class Invalidator implements ResponseCacheAdmin {
  constructor(
    readonly options: ResolvedOptions,
    private readonly spaces: Spaces,
  ) {}

  abstract stats(): ResponseCacheStats;

  /**
   * Fences fills running in this process (their responses may predate the invalidation, so they
   * are not stored) and drops shared in-process state for keys under `scope` (all keys for tags).
   */
  protected abstract fence(scope: string | undefined): void;

  /**
   * Removes every variant (language, host, headers, codings, HEAD) stored under a key: the value of
   * the `key` option's function, or with built-in keys a path with its query (`'/list?page=2'`,
   * matched in any parameter order).
   */
  invalidate(key: string): Promise<void> {
    const o = this.options;
    if (o.key !== undefined) return this.#clear(pathScope(o.prefix, key));
    const mark = key.indexOf('?');
    const path = mark === -1 ? key : key.slice(0, mark);
    const scope = pathScope(o.prefix, path);
    const query = canonicalQuery(mark === -1 ? '' : key.slice(mark + 1), o.query);
    return this.#clear(
      scope === undefined || query === undefined ? undefined : `${scope}${query}\u0000`,
    );
  }

  invalidatePath(path: string): Promise<void> {
    return this.#clear(pathScope(this.options.prefix, path));
  }

  invalidatePrefix(pathPrefix: string): Promise<void> {
    return this.#clear(pathPrefixScope(this.options.prefix, pathPrefix));
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    this.fence(undefined);
    await Promise.all(Array.from(this.spaces.all(), (s) => s.storage.invalidateTags(tags)));
  }

  clear(): Promise<void> {
    return this.#clear(this.options.prefix);
  }

  async #clear(scope: string | undefined): Promise<void> {
    if (scope === undefined) return;
    this.fence(scope);
    await Promise.all(Array.from(this.spaces.all(), (s) => s.storage.clear(scope)));
  }
}
