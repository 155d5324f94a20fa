import type { Awaitable, Clock, Store } from '@larder/core';

/**
 * What the engine needs from storage. Implementations never throw or reject: a failing, throwing
 * or hanging store is reported and reads as a miss / a write that did not happen, so a sick store
 * costs speed, never a request. A synchronous store keeps synchronous answers.
 */
export interface EntryStorage {
  get(key: string): unknown;
  set(key: string, value: unknown, ttl: number, tags: readonly string[]): Awaitable<void>;
  delete(key: string): Awaitable<void>;
  clear(prefix: string): Awaitable<void>;
  invalidateTags(tags: readonly string[]): Awaitable<void>;
  /** The store underneath, for coalescing fills across processes through `Store.lock`. */
  readonly shared?: SharedAccess;
}

/** What cross-process coalescing needs: the raw store, the lock timeout, the report, the clock. */
export interface SharedAccess {
  readonly store: Store;
  /** How long one lock call may take, ms. */
  readonly timeoutMs: number;
  readonly report: (error: Error) => void;
  readonly now: Clock;
}

/** True for a promise or any other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
