import { resolveWrite } from './cache-options.ts';
import type { CacheView } from './cache-view.ts';
import { checkOptions, describeValue, optionNames } from './check-option.ts';
import type { Duration } from './duration.ts';
import { memoKey } from './memo-key.ts';
import { bumpStamps, functionKey, RESERVED_SEGMENT, tagKey } from './tags.ts';
import { wrapKey } from './wrap.ts';

/** Options of `cache.memoize`. */
export interface MemoizeOptions<A extends unknown[]> {
  /**
   * The function's key space. Required when `fn` has no name (an anonymous arrow); taken from
   * `fn.name` otherwise, and then a second, different function with the same name throws, so two
   * functions never silently share entries. Give explicit names when the same name is meant.
   * @default fn.name
   */
  readonly name?: string;
  /** How long a result stays fresh. @default the region's, else the cache's `ttl` */
  readonly ttl?: Duration;
  /** The region (store + defaults) to cache in, by name. @default the cache this is called on */
  readonly region?: string;
  /** Builds the key from the arguments instead of the built-in encoding (see the README). */
  readonly key?: (...args: A) => string;
  /** Tags given to every result, for `invalidateTags`. @default [] */
  readonly tags?: readonly string[];
  /** As `wrap`'s option. @default the region's, else the cache's */
  readonly staleWhileRevalidate?: Duration;
  /** As `wrap`'s option. @default the region's, else the cache's */
  readonly staleIfError?: Duration;
}

/** A memoized function: resolves the cached result for its arguments, computing it on a miss. */
export interface Memoized<A extends unknown[], R> {
  (...args: A): Promise<R>;
  /** Removes the cached result for these arguments (Beaker's `region_invalidate`). */
  invalidate(...args: A): Promise<void>;
  /** Invalidates every cached result of this function in O(1), in every process sharing the store. */
  invalidateAll(): Promise<void>;
}

const METHOD = 'cache.memoize';
const MEMOIZE_OPTIONS = optionNames<MemoizeOptions<unknown[]>>({
  name: true,
  ttl: true,
  region: true,
  key: true,
  tags: true,
  staleWhileRevalidate: true,
  staleIfError: true,
});

/** Implements `cache.memoize` on a cache view. */
export function memoizeOn<A extends unknown[], R>(
  view: CacheView,
  fn: (...args: A) => R,
  given?: MemoizeOptions<A>,
): Memoized<A, Awaited<R>> {
  if (typeof fn !== 'function') {
    throw new TypeError(
      `${METHOD}: the first argument must be a function, got ${describeValue(fn)}`,
    );
  }
  const options = checkOptions(given, MEMOIZE_OPTIONS, METHOD);
  const derived = options.name === undefined;
  const name = options.name ?? fn.name;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(
      `${METHOD}: option "name" is required when the function has no name, got ${describeValue(options.name)}`,
    );
  }
  const keyOption = options.key;
  if (keyOption !== undefined && typeof keyOption !== 'function') {
    throw new TypeError(
      `${METHOD}(${name}): option "key" must be a function, got ${describeValue(keyOption)}`,
    );
  }
  const target = options.region === undefined ? view : view.regionView(options.region, METHOD);
  const { ctx, backend, prefix } = target;
  const spec = resolveWrite(target.defaults, options, `${METHOD}(${name})`, null);
  const scope = `${prefix}${encodeURIComponent(name)}`;
  claimName(view, `${backend.name}\n${scope}`, fn, name, derived);

  const base = `${prefix}${RESERVED_SEGMENT}memo:${encodeURIComponent(name)}:`;
  const stampKeys = [functionKey(ctx.rootPrefix, scope)];
  // resolveWrite has already checked the tags.
  for (const tag of spec.tags ?? []) stampKeys.push(tagKey(ctx.rootPrefix, tag));
  const keyOf = (args: A): string =>
    base + (keyOption === undefined ? memoKey(args, name) : `k${keyOption(...args)}`);

  const memoized = function (this: unknown, ...args: A): Promise<Awaited<R>> {
    let key: string;
    try {
      key = keyOf(args);
    } catch (error) {
      return Promise.reject(error);
    }
    const call = () => fn.apply(this, args) as Awaited<R>;
    return wrapKey(ctx, backend, key, call, spec, stampKeys);
  } as Memoized<A, Awaited<R>>;
  memoized.invalidate = async (...args: A) => {
    await backend.delete(keyOf(args));
  };
  memoized.invalidateAll = () => bumpStamps(backend, [stampKeys[0]!]);
  return memoized;
}

function claimName(view: CacheView, id: string, fn: Function, name: string, derived: boolean) {
  const names = view.ctx.derivedNames;
  const owner = names.get(id);
  if (owner === undefined) {
    names.set(id, fn);
  } else if (owner !== fn && derived) {
    throw new TypeError(
      `${METHOD}: another function is already memoized as ${JSON.stringify(name)} (a name taken from fn.name); pass option "name" to tell them apart, or the same name explicitly to share entries`,
    );
  }
}
