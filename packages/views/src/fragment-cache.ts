import {
  type Cache,
  checkOptions,
  createCache,
  type Duration,
  describeValue,
  getNow,
  optionNames,
  type SetOptions,
  type WrapOptions,
} from '@larder/core';
import { checkBoolean, checkDuration, checkName, checkTagList } from './check-options.ts';
import { keyPart } from './fragment-key.ts';

/** Options of {@link createFragmentCache}, shared by every engine binding. */
export interface FragmentCacheOptions {
  /** The Larder cache fragments are kept in (any store: memory, file, Redis…). @default a new `createCache()` (memory) */
  readonly cache?: Cache;
  /** How long a fragment is reused, seconds or a string such as `'5m'`; a block's own ttl wins. @default the cache's default (memory store: no expiry) */
  readonly ttl?: Duration;
  /** Tags every fragment is stored with, for `invalidateTags`; a block's own tags are added. @default [] */
  readonly tags?: readonly string[];
  /** After a fragment turns stale, serve it at once for this long while one background render refreshes it (seconds or a string). @default 0 */
  readonly staleWhileRevalidate?: Duration;
  /** After a fragment turns stale, serve it for this long when rendering its block fails (seconds or a string). @default 0 */
  readonly staleIfError?: Duration;
  /** `false` renders every block every time and stores nothing (Mako's `cache_enabled`). @default true */
  readonly enabled?: boolean;
  /** Put a digest of the template's source in the key, so editing a template retires its fragments. @default true */
  readonly digest?: boolean;
  /** The first part of every fragment key, so fragments never meet other keys of the cache. @default 'fragment' */
  readonly namespace?: string;
}

/** One cached block at render time: what names it, and its own settings. */
export interface FragmentBlock {
  /** The user's key (the tag's first argument); `undefined` or `null` throws. */
  readonly key: unknown;
  /** Further values the fragment varies on (user id, locale…); `undefined` or `null` throws. @default [] */
  readonly vary?: readonly unknown[];
  /** The template's identity (a source digest, a name); `''` lets blocks of every template with one key share. @default '' */
  readonly template?: string;
  /** This block's ttl, seconds or a string. @default the fragment cache's `ttl` */
  readonly ttl?: unknown;
  /** This block's tags (a string or an array), added to the fragment cache's `tags`. @default [] */
  readonly tags?: unknown;
  /** Where the block is (function, template, line), for error messages. @default 'fragment' */
  readonly where?: string;
}

/** The engine-neutral fragment cache: get-or-render on the `Cache` facade, and invalidation. */
export interface FragmentCache {
  /** The cache fragments are kept in. */
  readonly cache: Cache;
  /** Whether blocks are cached (the `enabled` option). */
  readonly enabled: boolean;
  /** Whether engine bindings key fragments on a digest of the template source (the `digest` option). */
  readonly digest: boolean;
  /**
   * Resolves the block's HTML: the cached fragment, or `body()`'s result, which is then stored.
   * `body` runs only on a miss, once however many renders wait for the same key (`wrap`).
   */
  render(block: FragmentBlock, body: () => string | PromiseLike<string>): Promise<string>;
  /**
   * The synchronous form of `render`, for engines rendering synchronously (LiquidJS `renderSync`):
   * a hit is served only when the store answers synchronously (the memory store); otherwise
   * `body()` runs, and its HTML is stored when the lookup was a synchronous miss.
   */
  renderSync(block: FragmentBlock, body: () => string): string;
  /** The cache key a block is stored under (without the cache's own prefix). */
  keyOf(block: FragmentBlock): string;
  /** Removes every fragment stored under this user key (and these leading vary values), in every template. */
  invalidate(key: unknown, ...vary: unknown[]): Promise<void>;
  /** Removes every fragment stored with any of these tags. */
  invalidateTags(tags: readonly string[]): Promise<void>;
}

const FN = 'createFragmentCache';
/** Every option name of {@link FragmentCacheOptions}, for bindings that check their own options. */
export const FRAGMENT_OPTIONS = optionNames<FragmentCacheOptions>({
  cache: true,
  ttl: true,
  tags: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  enabled: true,
  digest: true,
  namespace: true,
});

/**
 * Creates the fragment cache engine bindings render through. Options are checked here: a bad or
 * unknown one throws a `TypeError`/`RangeError` naming `fn` (the binding that was called), the
 * option and the value.
 *
 * @param options - see {@link FragmentCacheOptions}
 * @param fn - the public function named in error messages (bindings pass their own name)
 * @example
 * const fragments = createFragmentCache({ cache: createCache(), ttl: '10m' });
 * const html = await fragments.render({ key: 'sidebar', vary: [user.id] }, () => renderSidebar(user));
 */
export function createFragmentCache(options?: FragmentCacheOptions, fn = FN): FragmentCache {
  const opts = checkOptions(options, FRAGMENT_OPTIONS, fn);
  const cache = opts.cache ?? createCache();
  if (typeof cache !== 'object' || cache === null || typeof cache.wrap !== 'function') {
    throw new TypeError(
      `${fn}: option "cache" must be a Cache from createCache(), got ${describeValue(cache)}`,
    );
  }
  const ttl = checkDuration(opts.ttl, fn, 'ttl');
  const tags = checkTagList(opts.tags, fn, 'tags');
  const swr = checkDuration(opts.staleWhileRevalidate, fn, 'staleWhileRevalidate');
  const sie = checkDuration(opts.staleIfError, fn, 'staleIfError');
  const enabled = checkBoolean(opts.enabled, true, fn, 'enabled');
  const digest = checkBoolean(opts.digest, true, fn, 'digest');
  const namespace = checkName(opts.namespace, 'fragment', fn, 'namespace');

  const base: WrapOptions = {
    ...(ttl === undefined ? {} : { ttl }),
    ...(tags.length === 0 ? {} : { tags }),
    ...(swr === undefined ? {} : { staleWhileRevalidate: swr }),
    ...(sie === undefined ? {} : { staleIfError: sie }),
  };

  function keyOf(block: FragmentBlock): string {
    const where = block.where ?? 'fragment';
    let key = `${namespace}:${keyPart(block.key, where, 'key')}:`;
    const vary = block.vary ?? [];
    for (let i = 0; i < vary.length; i++) {
      key += `${i === 0 ? '' : ','}${keyPart(vary[i], where, `vary value #${i + 1}`)}`;
    }
    return `${key}:${block.template ?? ''}`;
  }

  function wrapOptions(block: FragmentBlock): WrapOptions {
    if (block.ttl === undefined && block.tags === undefined) return base;
    const where = block.where ?? 'fragment';
    const own = checkDuration(block.ttl, where, 'ttl');
    const ownTags = checkTagList(block.tags, where, 'tags');
    return {
      ...base,
      ...(own === undefined ? {} : { ttl: own }),
      ...(ownTags.length === 0 ? {} : { tags: [...tags, ...ownTags] }),
    };
  }

  // A value under a fragment key that is not text was not written by this cache (a foreign writer,
  // a store that lies): drop it and render the block, never print it.
  async function replaceForeign(
    key: string,
    compute: () => Promise<string>,
    settings: WrapOptions,
  ): Promise<string> {
    await cache.delete(key);
    const html: unknown = await cache.wrap(key, compute, settings);
    return typeof html === 'string' ? html : compute();
  }

  function setOptions(settings: WrapOptions): SetOptions {
    return {
      ...(settings.ttl === undefined ? {} : { ttl: settings.ttl }),
      ...(settings.tags === undefined ? {} : { tags: settings.tags }),
    };
  }

  return {
    cache,
    enabled,
    digest,
    keyOf,
    render(block, body) {
      let key: string;
      let settings: WrapOptions;
      try {
        key = keyOf(block);
        settings = wrapOptions(block);
      } catch (error) {
        return Promise.reject(error);
      }
      // Switched off: the body runs every time; a synchronous throw still becomes a rejection.
      if (!enabled) return Promise.resolve().then(body);
      const compute = async (): Promise<string> => {
        const html: unknown = await body();
        // Only text is stored: an object or a promise would replay as something else.
        if (typeof html !== 'string') {
          throw new TypeError(
            `${block.where ?? 'fragment'}: the block produced ${describeValue(html)}, not a string`,
          );
        }
        return html;
      };
      return cache
        .wrap(key, compute, settings)
        .then((html: unknown) =>
          typeof html === 'string' ? html : replaceForeign(key, compute, settings),
        );
    },
    renderSync(block, body) {
      const key = keyOf(block);
      const settings = wrapOptions(block);
      if (!enabled) return body();
      const found = getNow(cache, key);
      if (typeof found === 'string') return found;
      const html: unknown = body();
      if (typeof html !== 'string') {
        throw new TypeError(
          `${block.where ?? 'fragment'}: the block produced ${describeValue(html)}, not a string`,
        );
      }
      if (found === undefined) {
        // A synchronous store completes the write before the next render reads it; the facade
        // reports store failures through onError and never rejects.
        void cache.set(key, html, setOptions(settings));
      } else if (found instanceof Promise) {
        // An asynchronous store cannot answer a synchronous render: the block renders uncached.
        found.catch(() => {});
      }
      return html;
    },
    async invalidate(key, ...vary) {
      let prefix = `${namespace}:${keyPart(key, 'invalidate', 'key')}:`;
      if (vary.length > 0) {
        prefix += vary.map((v, i) => keyPart(v, 'invalidate', `vary value #${i + 1}`)).join(',');
        // A vary list is followed by ',' (more values) or ':' (the template part): clear both.
        await cache.clear(`${prefix},`);
        await cache.clear(`${prefix}:`);
        return;
      }
      await cache.clear(prefix);
    },
    invalidateTags: (list) => cache.invalidateTags(list),
  };
}
