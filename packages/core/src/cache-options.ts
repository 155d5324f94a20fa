import { checkOptions, describeValue, optionNames } from './check-option.ts';
import { type Duration, parseDuration, parseOptionalDuration } from './duration.ts';
import type { Clock, Store } from './store.ts';

/** A named group of cache settings (Beaker's `short_term` / `long_term`): a store plus defaults. */
export interface RegionOptions {
  /** The store, by its name in `stores`. @default the cache's `default` store */
  readonly store?: string;
  /** How long values written through the region stay fresh. @default the cache's `ttl` */
  readonly ttl?: Duration;
  /** Default `staleWhileRevalidate` of `wrap`/`memoize` in this region. @default the cache's */
  readonly staleWhileRevalidate?: Duration;
  /** Default `staleIfError` of `wrap`/`memoize` in this region. @default the cache's */
  readonly staleIfError?: Duration;
}

/** Options of `createCache`. */
export interface CacheOptions {
  /** Stores by name (weppy's handlers: `{ ram, disk, redis }`). @default `{ default: createMemoryStore() }` */
  readonly stores?: Readonly<Record<string, Store>>;
  /** The name of the store used when none is chosen; required when `stores` names several. */
  readonly default?: string;
  /** Regions by name (`{ short_term: { ttl: '1m' }, long_term: { store: 'disk', ttl: '1h' } }`). @default {} */
  readonly regions?: Readonly<Record<string, RegionOptions>>;
  /** Prepended to every key the cache writes (namespaces add theirs after it). @default '' */
  readonly prefix?: string;
  /** How long written values stay fresh. @default the store's own default (memory store: no expiry) */
  readonly ttl?: Duration;
  /** How long after a `wrap` value turns stale it is still served at once while one refresh runs. @default 0 */
  readonly staleWhileRevalidate?: Duration;
  /** How long after a `wrap` value turns stale it is served when its function throws. @default 0 */
  readonly staleIfError?: Duration;
  /** How long one store operation may take before it counts as failed (`Infinity`, or anything past 24.8 days: no limit). @default 1 (second) */
  readonly timeout?: Duration;
  /** Told about every store failure (a {@link CacheStoreError}) and failed background refresh. @default ignore (see `stats().errors`) */
  readonly onError?: (error: Error) => void;
  /** The clock entry times are read from, epoch ms; inject one in tests. @default Date.now */
  readonly now?: Clock;
}

/** Options of `set`, `add` and `setMany` when more than a TTL is given. */
export interface SetOptions {
  /** How long the value stays fresh. @default the cache's, region's or store's default */
  readonly ttl?: Duration;
  /** Tags for `invalidateTags`. @default [] */
  readonly tags?: readonly string[];
}

/** Options of `wrap` when more than a TTL is given. */
export interface WrapOptions extends SetOptions {
  /** After the value turns stale, serve it at once for this long while ONE background call refreshes it. @default 0 */
  readonly staleWhileRevalidate?: Duration;
  /** After the value turns stale, serve it for this long when the function throws. @default 0 */
  readonly staleIfError?: Duration;
}

/** A write's settings in seconds, resolved once per call (or once per view for the defaults). */
export interface WriteSpec {
  /** Fresh time in seconds; `undefined` lets the store apply its default. */
  readonly ttl: number | undefined;
  readonly swr: number;
  readonly sie: number;
  readonly tags: readonly string[] | undefined;
}

/** The option names `set`, `add` and `setMany` accept. */
export const SET_OPTIONS = optionNames<SetOptions>({ ttl: true, tags: true });
/** The option names `wrap` accepts. */
export const WRAP_OPTIONS = optionNames<WrapOptions>({
  ttl: true,
  tags: true,
  staleWhileRevalidate: true,
  staleIfError: true,
});

/**
 * Resolves a `ttl | options` argument against the defaults, validating as it goes; `known` lists
 * the option names allowed (`null` when the caller has checked them already).
 */
export function resolveWrite(
  defaults: WriteSpec,
  arg: Duration | WrapOptions | undefined,
  method: string,
  known: readonly string[] | null = SET_OPTIONS,
): WriteSpec {
  if (arg === undefined) return defaults;
  if (typeof arg === 'number' || typeof arg === 'string') {
    return {
      ttl: parseDuration(arg, method, 'ttl'),
      swr: defaults.swr,
      sie: defaults.sie,
      tags: undefined,
    };
  }
  if (typeof arg !== 'object' || arg === null) {
    throw new TypeError(
      `${method}: the third argument must be a duration or an options object, got ${describeValue(arg)}`,
    );
  }
  if (known !== null) checkOptions(arg, known, method);
  return {
    ttl: parseOptionalDuration(arg.ttl, method, 'ttl') ?? defaults.ttl,
    swr:
      parseOptionalDuration(arg.staleWhileRevalidate, method, 'staleWhileRevalidate') ??
      defaults.swr,
    sie: parseOptionalDuration(arg.staleIfError, method, 'staleIfError') ?? defaults.sie,
    tags: arg.tags === undefined ? undefined : checkTags(arg.tags, method, 'tags'),
  };
}

/** Checks a tag list: an array of non-empty strings. */
export function checkTags(tags: unknown, method: string, option: string): readonly string[] {
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && tag !== '')) {
    throw new TypeError(
      `${method}: option "${option}" must be an array of non-empty strings, got ${describeValue(tags)}`,
    );
  }
  return tags;
}
