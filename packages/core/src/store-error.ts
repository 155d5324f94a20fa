/**
 * A store operation that failed, threw or timed out, as given to a cache's `onError`: it names the
 * store and the operation, and keeps the store's own error as `cause`.
 */
export class CacheStoreError extends Error {
  override readonly name = 'CacheStoreError';
  /** The store's name in the cache (`'default'` for the store `createCache()` makes). */
  readonly store: string;
  /** The store method that failed, e.g. `'get'`, `'set'`, `'clear'`. */
  readonly operation: string;
  /** The store key involved, when the operation had one. */
  readonly key: string | undefined;
  /** True when the operation did not settle within the cache's `timeout`. */
  readonly timedOut: boolean;

  constructor(
    store: string,
    operation: string,
    key: string | undefined,
    cause: unknown,
    timedOut = false,
  ) {
    const target = key === undefined ? '' : `(${JSON.stringify(shorten(key))})`;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `Larder cache: store "${store}" ${operation}${target} ${timedOut ? 'timed out' : 'failed'}: ${detail}`,
      { cause },
    );
    this.store = store;
    this.operation = operation;
    this.key = key;
    this.timedOut = timedOut;
  }
}

function shorten(key: string): string {
  return key.length > 120 ? `${key.slice(0, 120)}…` : key;
}
