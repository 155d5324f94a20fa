import { checkOptions } from './check-option.ts';
import type { Store, StoreCapabilities } from './store.ts';

/** Options of {@link createNullStore}: none yet; any name given throws, as a typo would be ignored otherwise. */
export type NullStoreOptions = Readonly<Record<string, never>>;

/** The store {@link createNullStore} returns: every method answers synchronously and keeps nothing. */
export interface NullStore extends Store {
  readonly name: 'null';
  readonly capabilities: StoreCapabilities;
  get(key: string): undefined;
  set(key: string, value: unknown, ttl?: number): void;
  delete(key: string): false;
  has(key: string): false;
  add(key: string, value: unknown, ttl?: number): true;
  getMany(keys: readonly string[]): undefined[];
  setMany(entries: ReadonlyArray<readonly [string, unknown]>, ttl?: number): void;
  deleteMany(keys: readonly string[]): 0;
  increment(key: string, delta?: number, ttl?: number): number;
  decrement(key: string, delta?: number, ttl?: number): number;
  clear(prefix?: string): void;
  touch(key: string, ttl?: number): false;
}

/**
 * Creates a store that accepts every write and keeps nothing, so every read is a miss: for tests
 * and for switching caching off without changing the code that uses the cache.
 * `add` resolves `true` (the key was absent, the write was accepted, then forgotten) and
 * `increment` resolves `delta` (a missing counter counts as 0).
 *
 * @example const cache = createCache({ stores: { main: createNullStore() } });
 */
export function createNullStore(options?: NullStoreOptions): NullStore {
  checkOptions(options, [], 'createNullStore');
  return {
    name: 'null',
    capabilities: { retains: false, shared: false, atomic: true, serializes: false },
    get: () => undefined,
    set: () => {},
    delete: () => false,
    has: () => false,
    add: () => true,
    getMany: (keys) => keys.map(() => undefined),
    setMany: () => {},
    deleteMany: () => 0,
    increment: (_key, delta = 1) => delta,
    decrement: (_key, delta = 1) => -delta,
    clear: () => {},
    touch: () => false,
  };
}
