import type { CacheStats } from './stats.ts';
import type { Awaitable, Store } from './store.ts';
import { CacheStoreError } from './store-error.ts';

/** True for a promise or any other thenable a store may return. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * A {@link Store} seen through the cache: every call is caught (a synchronous throw, a rejection, or
 * no answer within `timeoutMs`), reported once as a {@link CacheStoreError} and replaced by a
 * fallback (a miss, `false`, nothing), so a sick store costs speed, never a failed request.
 * A store that answers synchronously keeps a synchronous answer: the memory store's hit path
 * allocates no promise here.
 */
export class GuardedStore {
  constructor(
    /** The store's name in the cache, for errors. */
    readonly name: string,
    readonly raw: Store,
    /** Milliseconds before a pending operation is abandoned; `Infinity` waits for ever. */
    readonly timeoutMs: number,
    private readonly stats: CacheStats,
    /** Must not throw: the cache passes its `report`, which already contains `onError` failures. */
    private readonly onError: (error: Error) => void,
  ) {}

  get(key: string): unknown {
    let result: unknown;
    try {
      result = this.raw.get(key);
    } catch (error) {
      return this.fail('get', key, error, undefined);
    }
    return isThenable(result) ? this.settle(result, 'get', key, undefined) : result;
  }

  set(key: string, value: unknown, ttl: number | undefined): Awaitable<void> {
    // Written out like get (no closure): set is the other half of the hot path.
    let result: Awaitable<void>;
    try {
      result = this.raw.set(key, value, ttl);
    } catch (error) {
      return this.fail('set', key, error, undefined);
    }
    return isThenable(result) ? this.settle(result, 'set', key, undefined) : result;
  }

  delete(key: string): Awaitable<boolean> {
    return this.call('delete', key, false, () => this.raw.delete(key));
  }

  /** `undefined` when the store has no `add` (the caller falls back to get + set). */
  add(key: string, value: unknown, ttl: number | undefined): Awaitable<boolean> | undefined {
    const store = this.raw;
    if (store.add === undefined) return undefined;
    return this.call('add', key, false, () => store.add!(key, value, ttl));
  }

  /** Values in the order of `keys`; a failed or malformed answer reads as all misses. */
  getMany(keys: readonly string[]): Awaitable<unknown[]> {
    const store = this.raw;
    if (store.getMany === undefined) {
      const values = keys.map((key) => this.get(key));
      return values.some(isThenable) ? Promise.all(values) : values;
    }
    const misses = new Array<unknown>(keys.length).fill(undefined);
    const checked = (values: unknown): unknown[] =>
      Array.isArray(values) && values.length === keys.length
        ? values
        : this.fail('getMany', undefined, new TypeError('malformed getMany answer'), misses);
    const result = this.call('getMany', undefined, misses, () => store.getMany!(keys));
    return isThenable(result) ? Promise.resolve(result).then(checked) : checked(result);
  }

  setMany(entries: ReadonlyArray<readonly [string, unknown]>, ttl: number | undefined) {
    const store = this.raw;
    if (store.setMany !== undefined) {
      return this.call('setMany', undefined, undefined, () => store.setMany!(entries, ttl));
    }
    return Promise.all(entries.map(([key, value]) => this.set(key, value, ttl))).then(noop);
  }

  deleteMany(keys: readonly string[]): Awaitable<number> {
    const store = this.raw;
    if (store.deleteMany !== undefined) {
      return this.call('deleteMany', undefined, 0, () => store.deleteMany!(keys));
    }
    return Promise.all(keys.map((key) => this.delete(key))).then(
      (removed) => removed.filter(Boolean).length,
    );
  }

  /** `undefined` when the store has no atomic `increment`; `NaN` when it failed. */
  increment(key: string, delta: number, ttl: number | undefined): Awaitable<number> | undefined {
    const store = this.raw;
    if (store.increment === undefined) return undefined;
    return this.call('increment', key, Number.NaN, () => store.increment!(key, delta, ttl));
  }

  /** `undefined` when the store has no `touch`. */
  touch(key: string, ttl: number | undefined): Awaitable<boolean> | undefined {
    const store = this.raw;
    if (store.touch === undefined) return undefined;
    return this.call('touch', key, false, () => store.touch!(key, ttl));
  }

  /** Clears by prefix; a store without `clear` is reported, since nothing could be removed. */
  clear(prefix: string): Awaitable<void> {
    const store = this.raw;
    if (store.clear === undefined) {
      const error = new TypeError('the store has no clear()');
      return this.fail('clear', prefix || undefined, error, undefined);
    }
    // An empty prefix asks for every entry of this store (the store's own keys only).
    return this.call('clear', prefix || undefined, undefined, () =>
      prefix === '' ? store.clear!() : store.clear!(prefix),
    );
  }

  private call<T>(
    operation: string,
    key: string | undefined,
    fallback: T,
    invoke: () => Awaitable<T>,
  ): Awaitable<T> {
    let result: Awaitable<T>;
    try {
      result = invoke();
    } catch (error) {
      return this.fail(operation, key, error, fallback);
    }
    return isThenable(result) ? this.settle(result, operation, key, fallback) : result;
  }

  private settle<T>(
    pending: PromiseLike<T>,
    operation: string,
    key: string | undefined,
    fallback: T,
  ): Promise<T> {
    return new Promise<T>((resolve) => {
      let done = false;
      const timer =
        this.timeoutMs === Number.POSITIVE_INFINITY
          ? undefined
          : setTimeout(() => {
              done = true;
              const cause = new Error(`no answer within ${this.timeoutMs} ms`);
              resolve(this.fail(operation, key, cause, fallback, true));
            }, this.timeoutMs);
      pending.then(
        (value) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(this.fail(operation, key, error, fallback));
        },
      );
    });
  }

  private fail<T>(
    operation: string,
    key: string | undefined,
    cause: unknown,
    fallback: T,
    timedOut = false,
  ): T {
    this.stats.errors++;
    if (timedOut) this.stats.timeouts++;
    this.onError(new CacheStoreError(this.name, operation, key, cause, timedOut));
    return fallback;
  }
}

function noop(): void {}
