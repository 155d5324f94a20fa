import type { Store } from './store.ts';

/**
 * A synchronous read of a store's process-local tier, which never throws. `final` says what a
 * local miss means: `true` when the local tier is the whole store (the memory store: a miss is a
 * miss), `false` when a shared store stands behind it (the near cache: read the store itself).
 */
export interface LocalRead {
  readonly read: (key: string) => unknown;
  readonly final: boolean;
}

interface Brand extends LocalRead {
  /** The store's own `get` when branded: a copy or a decoration that replaces it loses the brand. */
  readonly get: Store['get'];
}

/** Each store core itself built with a local tier: a brand no copy or decoration carries. */
const brands = new WeakMap<object, Brand>();

/** Brands `store`, built by core, with its local read (see {@link localRead}). */
export function brandLocalRead(store: Store, read: (key: string) => unknown, final: boolean): void {
  brands.set(store, { read, final, get: store.get });
}

/**
 * The synchronous, never-throwing local read of a store core built with one (a memory store, a
 * near cache), or `undefined` for any other object: a spread copy (`{ ...store, get }`), a store
 * whose `get` was replaced, a look-alike with the same `name`. Lets a caller skip its timeout and
 * error guard for what is held in process memory, and only there.
 *
 * @internal for `@larder/http`; not part of the public contract.
 */
export function localRead(store: object): LocalRead | undefined {
  const brand = brands.get(store);
  return brand !== undefined && (store as { get?: unknown }).get === brand.get ? brand : undefined;
}
