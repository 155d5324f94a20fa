import type { CacheContext, ResolvedRegion } from './cache-context.ts';
import type {
  CacheOptions,
  RegionOptions,
  SetOptions,
  WrapOptions,
  WriteSpec,
} from './cache-options.ts';
import { CacheView } from './cache-view.ts';
import { checkOptions, describeValue, optionNames } from './check-option.ts';
import { type Duration, parseDuration, parseOptionalDuration } from './duration.ts';
import { GuardedStore } from './guarded-store.ts';
import type { Memoized, MemoizeOptions } from './memoize.ts';
import { createMemoryStore } from './memory-store.ts';
import { SingleFlight } from './single-flight.ts';
import { type CacheStats, createStats } from './stats.ts';
import { isStore, type Store } from './store.ts';

/**
 * The cache facade: the Werkzeug method set, get-or-compute, memoize and tags over one store, with
 * views for the cache's other stores, its regions and namespaces. Every method resolves; a store
 * failure reads as a miss or drops the write and goes to `onError` (application errors from `wrap`
 * and memoized functions pass through). Keys are strings; the cache writes `prefix + key`.
 */
export interface Cache {
  /** The prefix this view writes keys under (the cache's `prefix` plus namespaces). */
  readonly prefix: string;
  /** The name of the store this view uses. */
  readonly storeName: string;
  /** Resolves the fresh value, or `undefined` on a miss (a stored `null` is a hit). */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Resolves the values in the order of `keys`, `undefined` for each miss. */
  getMany<T = unknown>(keys: readonly string[]): Promise<(T | undefined)[]>;
  /** Resolves `{ key: value }` for `keys`, `undefined` for each miss (Werkzeug's `get_dict`). */
  getRecord<T = unknown>(keys: readonly string[]): Promise<Record<string, T | undefined>>;
  /** Resolves `true` when `get` would find a fresh value. */
  has(key: string): Promise<boolean>;
  /** Stores a value for `ttl` (a duration, or `{ ttl, tags }`); `undefined` removes the key. */
  set(key: string, value: unknown, ttl?: Duration | SetOptions): Promise<void>;
  /** Stores only when the key holds no value; resolves `true` when it stored. */
  add(key: string, value: unknown, ttl?: Duration | SetOptions): Promise<boolean>;
  /** Stores several values, from `[key, value]` pairs or a record, with one TTL. */
  setMany(
    entries: Iterable<readonly [string, unknown]> | Readonly<Record<string, unknown>>,
    ttl?: Duration | SetOptions,
  ): Promise<void>;
  /** Removes a key; resolves `true` when something was removed. */
  delete(key: string): Promise<boolean>;
  /** Removes keys; resolves how many were removed. */
  deleteMany(keys: readonly string[]): Promise<number>;
  /**
   * Adds `delta` (a safe integer, default 1) to an integer counter, a missing key counting as 0, and
   * resolves the new value, or `undefined` when the store failed. `ttl` applies when the counter is
   * created. Atomic when the store has `increment`.
   */
  increment(key: string, delta?: number, ttl?: Duration): Promise<number | undefined>;
  /** `increment` by `-delta`. */
  decrement(key: string, delta?: number, ttl?: Duration): Promise<number | undefined>;
  /** Gives a fresh value a new TTL; resolves `false` when there is none. */
  touch(key: string, ttl: Duration): Promise<boolean>;
  /**
   * Removes this view's keys: all of them (everything under `prefix`), or those starting with a
   * prefix given as `'posts:'` or the glob `'posts:*'` (a trailing `*` only; `\\` escapes).
   */
  clear(pattern?: string): Promise<void>;
  /**
   * Get-or-compute: resolves the fresh value of `key`, or runs `fn` (once per key in this process
   * however many callers wait), stores its result and resolves it. Options add tags and the
   * stale-while-revalidate and stale-if-error windows.
   */
  wrap<T>(key: string, fn: () => T | PromiseLike<T>, ttl?: Duration | WrapOptions): Promise<T>;
  /** Caches `fn` by its arguments; the result has `invalidate(...args)` and `invalidateAll()`. */
  memoize<A extends unknown[], R>(
    fn: (...args: A) => R,
    options?: MemoizeOptions<A>,
  ): Memoized<A, Awaited<R>>;
  /** Invalidates every value stored with any of these tags, in every store of the cache. */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /** The same cache on another of its stores (weppy's `cache.disk`), keeping this prefix. */
  store(name: string): Cache;
  /** The same cache on a region's store with the region's defaults, keeping this prefix. */
  region(name: string): Cache;
  /** A cache whose keys are prefixed with `name + ':'`; namespaces nest. */
  namespace(name: string): Cache;
  /** A snapshot of the counters, shared by every view of the cache. */
  stats(): CacheStats;
}

const FN = 'createCache';
const CACHE_OPTIONS = optionNames<CacheOptions>({
  stores: true,
  default: true,
  regions: true,
  prefix: true,
  ttl: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  timeout: true,
  onError: true,
  now: true,
});
const REGION_OPTIONS = optionNames<RegionOptions>({
  store: true,
  ttl: true,
  staleWhileRevalidate: true,
  staleIfError: true,
});
const DEFAULT_TIMEOUT_SECONDS = 1;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Creates a cache over named stores (one memory store when none is given), with regions,
 * namespaces, `wrap`, `memoize`, tags and counters. Options are checked here: a bad one throws a
 * `TypeError` or `RangeError` naming `createCache`, the option and the value.
 *
 * @example
 * const cache = createCache({
 *   stores: { ram: createMemoryStore(), disk: createFileStore({ dir: '.cache' }) },
 *   default: 'ram',
 *   regions: { short_term: { ttl: '1m' }, long_term: { store: 'disk', ttl: '1h' } },
 * });
 * const html = await cache.wrap(`sidebar:${id}`, () => renderSidebar(id), '5m');
 */
export function createCache(given?: CacheOptions): Cache {
  const options = checkOptions(given, CACHE_OPTIONS, FN);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw bad('now', 'a function', now);
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== 'function')
    throw bad('onError', 'a function', onError);
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw bad('prefix', 'a string', prefix);
  const timeout = parseDuration(options.timeout ?? DEFAULT_TIMEOUT_SECONDS, FN, 'timeout');
  if (timeout === 0) throw new RangeError(`${FN}: option "timeout" must be above 0, got 0`);
  // setTimeout fires at once past 2^31 - 1 ms (24.8 days): a longer timeout means no limit.
  const timeoutMs = timeout * 1000 > MAX_TIMER_MS ? Number.POSITIVE_INFINITY : timeout * 1000;

  const stats = createStats();
  const report = (error: Error) => {
    try {
      onError?.(error);
    } catch {
      // onError is the application's; its failure must not break the cache.
    }
  };
  const rawStores = options.stores ?? { default: createMemoryStore(options.now ? { now } : {}) };
  const stores = new Map<string, GuardedStore>();
  for (const [name, store] of Object.entries(checkObject(rawStores, 'stores'))) {
    checkStore(store, name);
    stores.set(name, new GuardedStore(name, store as Store, timeoutMs, stats, report));
  }
  if (stores.size === 0) throw bad('stores', 'an object naming at least one store', rawStores);
  const defaultName = options.default ?? (stores.size === 1 ? [...stores.keys()][0]! : undefined);
  if (defaultName === undefined) {
    throw new TypeError(`${FN}: option "default" is required when "stores" names several stores`);
  }
  const defaultStore = stores.get(defaultName);
  if (defaultStore === undefined)
    throw bad('default', `one of the store names (${[...stores.keys()].join(', ')})`, defaultName);

  const defaults = writeDefaults(options, undefined, '');
  const regions = new Map<string, ResolvedRegion>();
  for (const [name, region] of Object.entries(checkObject(options.regions ?? {}, 'regions'))) {
    checkOptions(checkObject(region, `regions.${name}`), REGION_OPTIONS, FN, `regions.${name}.`);
    const storeName = (region as RegionOptions).store ?? defaultName;
    const store = stores.get(storeName);
    if (store === undefined) throw bad(`regions.${name}.store`, 'a name in "stores"', storeName);
    regions.set(name, {
      store,
      defaults: writeDefaults(region as RegionOptions, defaults, `regions.${name}.`),
    });
  }

  const ctx: CacheContext = {
    now,
    stats,
    report,
    rootPrefix: prefix,
    stores,
    regions,
    defaults,
    flights: new SingleFlight(),
    derivedNames: new Map(),
  };
  return new CacheView(ctx, defaultStore, prefix, defaults);
}

function writeDefaults(
  options: RegionOptions | CacheOptions,
  base: WriteSpec | undefined,
  path: string,
): WriteSpec {
  const read = (value: Duration | undefined, option: string) =>
    parseOptionalDuration(value, FN, path + option);
  return {
    ttl: read(options.ttl, 'ttl') ?? base?.ttl,
    swr: read(options.staleWhileRevalidate, 'staleWhileRevalidate') ?? base?.swr ?? 0,
    sie: read(options.staleIfError, 'staleIfError') ?? base?.sie ?? 0,
    tags: undefined,
  };
}

function checkObject(value: unknown, option: string): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(option, 'an object', value);
  }
  return value;
}

function checkStore(store: unknown, name: string): void {
  if (!isStore(store)) {
    throw bad(`stores.${name}`, 'a Store (an object with get, set and delete methods)', store);
  }
}

function bad(option: string, expected: string, value: unknown): TypeError {
  return new TypeError(
    `${FN}: option "${option}" must be ${expected}, got ${describeValue(value)}`,
  );
}
