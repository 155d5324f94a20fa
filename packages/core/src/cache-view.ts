import type { Cache } from './cache.ts';
import type { CacheContext } from './cache-context.ts';
import {
  checkTags,
  resolveWrite,
  type SetOptions,
  WRAP_OPTIONS,
  type WrapOptions,
  type WriteSpec,
} from './cache-options.ts';
import { describeValue } from './check-option.ts';
import { countKey } from './counter.ts';
import type { Duration } from './duration.ts';
import { isEnvelope } from './entry.ts';
import { patternToPrefix } from './glob.ts';
import { type GuardedStore, isThenable } from './guarded-store.ts';
import { readFresh } from './lookup.ts';
import { type Memoized, type MemoizeOptions, memoizeOn } from './memoize.ts';
import type { CacheStats } from './stats.ts';
import { bumpStamps, snapshotStamps, tagKey } from './tags.ts';
import { touchKey } from './touch.ts';
import { wrapKey } from './wrap.ts';
import { encodeValue, storeTtl, writeValue } from './write.ts';

// Returned by writes that completed synchronously: one shared settled promise, no allocation.
const DONE: Promise<void> = Promise.resolve();
const MISS: Promise<undefined> = Promise.resolve(undefined);

/**
 * One view of a cache: a store, a key prefix (the cache's prefix plus namespaces) and write
 * defaults (the cache's or a region's). Views share their context: counters, in-flight
 * computations and error reporting.
 */
export class CacheView implements Cache {
  constructor(
    readonly ctx: CacheContext,
    readonly backend: GuardedStore,
    readonly prefix: string,
    readonly defaults: WriteSpec,
  ) {}

  get storeName(): string {
    return this.backend.name;
  }

  // The hot path: not async, and for a synchronous store (the memory store) a miss returns one
  // shared settled promise and a plain hit allocates only the promise it resolves.
  get<T = unknown>(key: string): Promise<T | undefined> {
    const raw = this.backend.get(this.prefix + key);
    if (raw === undefined) {
      this.ctx.stats.misses++;
      return MISS;
    }
    // The guarded store hands back a native promise whenever the store answered asynchronously.
    if (raw instanceof Promise) return raw.then((r) => this.fresh(r)) as Promise<T>;
    if (!isEnvelope(raw)) {
      this.ctx.stats.hits++;
      return Promise.resolve(raw as T);
    }
    return Promise.resolve(this.fresh(raw) as T);
  }

  private fresh(raw: unknown): unknown {
    return readFresh(this.backend, this.ctx.stats, raw, this.ctx.now);
  }

  async getMany<T = unknown>(keys: readonly string[]): Promise<(T | undefined)[]> {
    const raws = await this.backend.getMany(keys.map((key) => this.prefix + key));
    return Promise.all(raws.map((raw) => this.fresh(raw))) as Promise<(T | undefined)[]>;
  }

  async getRecord<T = unknown>(keys: readonly string[]): Promise<Record<string, T | undefined>> {
    const values = await this.getMany<T>(keys);
    return Object.fromEntries(keys.map((key, i) => [key, values[i]]));
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  set(key: string, value: unknown, ttl?: Duration | SetOptions): Promise<void> {
    let spec: WriteSpec;
    try {
      spec = resolveWrite(this.defaults, ttl, 'cache.set');
    } catch (error) {
      return Promise.reject(error);
    }
    const stampKeys = this.stampKeys(spec);
    const { backend, ctx } = this;
    const done = writeValue(backend, ctx.stats, this.prefix + key, value, spec, stampKeys, ctx.now);
    return isThenable(done) ? (done as Promise<void>) : DONE;
  }

  async add(key: string, value: unknown, ttl?: Duration | SetOptions): Promise<boolean> {
    const spec = resolveWrite(this.defaults, ttl, 'cache.add');
    if (value === undefined) return false;
    const full = this.prefix + key;
    const stamps = await this.stamps(spec);
    if (stamps === null) return false;
    const stored = encodeValue(value, spec, stamps, this.ctx.now);
    const added = this.backend.add(full, stored, storeTtl(spec));
    if (added !== undefined) return added;
    // Without an atomic add the check and the write are two steps (documented as not atomic).
    if ((await this.get(key)) !== undefined) return false;
    await this.backend.set(full, stored, storeTtl(spec));
    return true;
  }

  async setMany(
    entries: Iterable<readonly [string, unknown]> | Readonly<Record<string, unknown>>,
    ttl?: Duration | SetOptions,
  ): Promise<void> {
    const spec = resolveWrite(this.defaults, ttl, 'cache.setMany');
    const list =
      Symbol.iterator in entries
        ? [...(entries as Iterable<readonly [string, unknown]>)]
        : Object.entries(entries);
    const stamps = await this.stamps(spec);
    if (stamps === null) {
      // The tags' stamps could not be established: remove rather than leave older values behind.
      await this.deleteMany(list.map(([key]) => key));
      return;
    }
    const writes: Array<readonly [string, unknown]> = [];
    const removals: string[] = [];
    for (const [key, value] of list) {
      if (value === undefined) removals.push(this.prefix + key);
      else writes.push([this.prefix + key, encodeValue(value, spec, stamps, this.ctx.now)]);
    }
    this.ctx.stats.writes += writes.length;
    await Promise.all([
      writes.length > 0 ? this.backend.setMany(writes, storeTtl(spec)) : undefined,
      removals.length > 0 ? this.backend.deleteMany(removals) : undefined,
    ]);
  }

  async delete(key: string): Promise<boolean> {
    return this.backend.delete(this.prefix + key);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    return keys.length === 0 ? 0 : this.backend.deleteMany(keys.map((key) => this.prefix + key));
  }

  increment(key: string, delta = 1, ttl?: Duration): Promise<number | undefined> {
    return countKey(this, 'cache.increment', key, delta, ttl);
  }

  decrement(key: string, delta = 1, ttl?: Duration): Promise<number | undefined> {
    return countKey(this, 'cache.decrement', key, -delta, ttl);
  }

  touch(key: string, ttl: Duration): Promise<boolean> {
    return touchKey(this, key, ttl);
  }

  async clear(pattern?: string): Promise<void> {
    const prefix = pattern === undefined ? '' : patternToPrefix(pattern, 'cache.clear');
    await this.backend.clear(this.prefix + prefix);
  }

  wrap<T>(key: string, fn: () => T | PromiseLike<T>, ttl?: Duration | WrapOptions): Promise<T> {
    let spec: WriteSpec;
    try {
      if (typeof fn !== 'function') {
        throw new TypeError(
          `cache.wrap: the second argument must be a function, got ${describeValue(fn)}`,
        );
      }
      spec = resolveWrite(this.defaults, ttl, 'cache.wrap', WRAP_OPTIONS);
    } catch (error) {
      return Promise.reject(error);
    }
    return wrapKey(this.ctx, this.backend, this.prefix + key, fn, spec, this.stampKeys(spec));
  }

  memoize<A extends unknown[], R>(
    fn: (...args: A) => R,
    options?: MemoizeOptions<A>,
  ): Memoized<A, Awaited<R>> {
    return memoizeOn(this, fn, options);
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    const keys = checkTags(tags, 'cache.invalidateTags', 'tags').map((tag) =>
      tagKey(this.ctx.rootPrefix, tag),
    );
    // Tags are cache-wide: an entry with the tag may sit in any of the cache's stores.
    await Promise.all([...this.ctx.stores.values()].map((store) => bumpStamps(store, keys)));
  }

  store(name: string): Cache {
    const store = this.ctx.stores.get(name);
    if (store === undefined) throw unknown('cache.store', 'store', name, this.ctx.stores);
    return new CacheView(this.ctx, store, this.prefix, this.ctx.defaults);
  }

  region(name: string): Cache {
    return this.regionView(name, 'cache.region');
  }

  /** The view of a region, keeping this view's prefix. */
  regionView(name: string, method: string): CacheView {
    const region = this.ctx.regions.get(name);
    if (region === undefined) throw unknown(method, 'region', name, this.ctx.regions);
    return new CacheView(this.ctx, region.store, this.prefix, region.defaults);
  }

  namespace(name: string): Cache {
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(
        `cache.namespace: the name must be a non-empty string, got ${describeValue(name)}`,
      );
    }
    return new CacheView(this.ctx, this.backend, `${this.prefix}${name}:`, this.defaults);
  }

  stats(): CacheStats {
    return { ...this.ctx.stats };
  }

  private stampKeys(spec: WriteSpec): string[] | undefined {
    const tags = spec.tags;
    if (tags === undefined || tags.length === 0) return undefined;
    return tags.map((tag) => tagKey(this.ctx.rootPrefix, tag));
  }

  /** The stamps of the spec's tags: `undefined` without tags, `null` when they could not be read. */
  private async stamps(spec: WriteSpec): Promise<string[] | undefined | null> {
    const keys = this.stampKeys(spec);
    if (keys === undefined) return undefined;
    return (await snapshotStamps(this.backend, keys)) ?? null;
  }
}

function unknown(
  method: string,
  what: string,
  name: string,
  known: ReadonlyMap<string, unknown>,
): TypeError {
  const names = [...known.keys()].map((n) => JSON.stringify(n)).join(', ') || 'none';
  return new TypeError(`${method}: unknown ${what} ${JSON.stringify(name)} (known: ${names})`);
}
