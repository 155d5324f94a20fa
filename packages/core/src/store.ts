/** A value or a promise of it: stores may answer synchronously (the memory store does) or not. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * What a store can do beyond the required `get`/`set`/`delete`, declared so that the facade and
 * the contract suite know what to rely on. An optional method that is present is usable; these
 * flags say how far its guarantees go.
 */
export interface StoreCapabilities {
  /** Values written are kept and read back (false only for the null store). @default true */
  readonly retains?: boolean;
  /** Entries are visible to other processes sharing the backend (file, Redis, memcached). @default false */
  readonly shared?: boolean;
  /** `add`, `increment` and `decrement` are atomic across every client of the backend. @default false */
  readonly atomic?: boolean;
  /** Values are encoded on write (not kept by reference): mutations after `set` are not seen. @default false */
  readonly serializes?: boolean;
}

/** A lock held by {@link Store.lock}; `release` is safe to call more than once. */
export interface StoreLock {
  release(): Awaitable<void>;
}

/**
 * The backend contract every Larder store implements, as a plain object so a user can write one
 * as a literal. Keys are strings; values are anything the store can hold (the memory store keeps
 * references, the others encode binary-safely). A miss is `undefined`; a stored `null` is a hit.
 *
 * TTLs are in **seconds** (fractions allowed); `Infinity` means no expiry; `undefined` means the
 * store's own default. A TTL of `0` or less means the entry is already expired: it is not kept.
 */
export interface Store {
  /** A short name for error messages and stats, e.g. `'memory'`. */
  readonly name?: string;
  readonly capabilities?: StoreCapabilities;

  get(key: string): Awaitable<unknown>;
  set(key: string, value: unknown, ttl?: number): Awaitable<void>;
  /** Resolves `true` when an entry was removed. */
  delete(key: string): Awaitable<boolean>;

  has?(key: string): Awaitable<boolean>;
  /** Stores only when the key is absent (or expired); resolves `true` when it stored. */
  add?(key: string, value: unknown, ttl?: number): Awaitable<boolean>;
  /** Values in the order of `keys`, `undefined` for each miss. */
  getMany?(keys: readonly string[]): Awaitable<unknown[]>;
  setMany?(entries: ReadonlyArray<readonly [string, unknown]>, ttl?: number): Awaitable<void>;
  /** Resolves how many entries were removed. */
  deleteMany?(keys: readonly string[]): Awaitable<number>;
  /** Adds `delta` to an integer counter (a missing key counts as 0) and resolves the new value. */
  increment?(key: string, delta?: number, ttl?: number): Awaitable<number>;
  decrement?(key: string, delta?: number, ttl?: number): Awaitable<number>;
  /** Removes this store's entries whose key starts with `prefix` (all of them without one). */
  clear?(prefix?: string): Awaitable<void>;
  /** Gives an existing entry a new TTL; resolves `false` on a miss. */
  touch?(key: string, ttl?: number): Awaitable<boolean>;
  /** Takes a short exclusive lock for `ttl` seconds, or resolves `undefined` if it is held. */
  lock?(key: string, ttl: number): Awaitable<StoreLock | undefined>;
  close?(): Awaitable<void>;
}

/** The clock a store or cache reads: epoch milliseconds. Injected in tests to move time. */
export type Clock = () => number;

/** True when a TTL in seconds leaves nothing to keep. */
export function isExpiredTtl(ttl: number | undefined): boolean {
  return ttl !== undefined && !(ttl > 0);
}

/** The absolute expiry in epoch ms for a TTL in seconds; `Infinity` for none. */
export function expiresAt(now: number, ttl: number | undefined): number {
  return ttl === undefined || ttl === Number.POSITIVE_INFINITY
    ? Number.POSITIVE_INFINITY
    : now + ttl * 1000;
}

/** True when `value` has the three methods every {@link Store} must have. */
export function isStore(value: unknown): value is Store {
  const s = value as Partial<Store> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.get === 'function' &&
    typeof s.set === 'function' &&
    typeof s.delete === 'function'
  );
}

/** A {@link Store} with every optional method present, each resolving a promise (file and server stores). */
export interface CompleteStore extends Store {
  readonly capabilities: StoreCapabilities;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  add(key: string, value: unknown, ttl?: number): Promise<boolean>;
  getMany(keys: readonly string[]): Promise<unknown[]>;
  setMany(entries: ReadonlyArray<readonly [string, unknown]>, ttl?: number): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<number>;
  increment(key: string, delta?: number, ttl?: number): Promise<number>;
  decrement(key: string, delta?: number, ttl?: number): Promise<number>;
  clear(prefix?: string): Promise<void>;
  touch(key: string, ttl?: number): Promise<boolean>;
}

/** A {@link CompleteStore} on a server that several processes share: it also locks and closes. */
export interface SharedStore extends CompleteStore {
  lock(key: string, ttl: number): Promise<StoreLock | undefined>;
  close(): Promise<void>;
}
