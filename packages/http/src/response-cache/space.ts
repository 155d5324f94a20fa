import type { Store } from '@larder/core';
import { type Flight, MissMemory } from './coalesce.ts';
import type { ResolvedOptions } from './options.ts';
import type { EntryStorage } from './storage.ts';
import { defaultResponseStore, openStorage } from './store-access.ts';

/**
 * The invalidation epoch of one store in this process, shared by every response cache on it:
 * bumped by each invalidation any of them makes, so a fill that began before it — in any of those
 * caches, e.g. a route-level instance while the app-wide one invalidates — does not store its
 * response, which may predate the invalidation.
 */
export interface Fence {
  epoch: number;
}

const fences = new WeakMap<Store, Fence>();

function fenceOf(store: Store): Fence {
  let fence = fences.get(store);
  if (fence === undefined) {
    fence = { epoch: 0 };
    fences.set(store, fence);
  }
  return fence;
}

/**
 * What a response cache keeps per store it reads and writes: the storage, the fills in flight, the
 * store reads in progress and the keys recently found uncacheable. Kept per store so that one
 * middleware mounted in two apps (each on its default store) never coalesces one app's request
 * onto the other's response.
 */
export class Space {
  readonly flights = new Map<string, Flight>();
  /** Store reads in progress, shared by concurrent requests for one key. */
  readonly lookups = new Map<string, PromiseLike<unknown>>();
  readonly missMemory = new MissMemory();

  constructor(
    readonly storage: EntryStorage,
    readonly fence: Fence,
  ) {}
}

/**
 * The spaces of one response cache: one for its `store` option, or else one per application scope
 * (`CacheRequest.scope`), each on that application's default store.
 */
export class Spaces {
  readonly #options: ResolvedOptions;
  readonly #report: (error: Error) => void;
  readonly #fixed: Space | undefined;
  readonly #scoped = new WeakMap<object, Space>();
  #unscoped: Space | undefined;
  /** Every space opened, for invalidation: each default store this cache has served. */
  readonly #all = new Set<Space>();

  constructor(options: ResolvedOptions, report: (error: Error) => void) {
    this.#options = options;
    this.#report = report;
    this.#fixed = options.store === undefined ? undefined : this.#open(options.store);
  }

  /** The space for a request of `scope`. */
  of(scope: object | undefined): Space {
    if (this.#fixed !== undefined) return this.#fixed;
    if (scope === undefined) {
      this.#unscoped ??= this.#open(defaultResponseStore());
      return this.#unscoped;
    }
    let space = this.#scoped.get(scope);
    if (space === undefined) {
      space = this.#open(defaultResponseStore(scope));
      this.#scoped.set(scope, space);
    }
    return space;
  }

  /** Every space opened so far (the `store` option's from the start). */
  all(): Iterable<Space> {
    return this.#all;
  }

  #open(store: Store): Space {
    const space = new Space(openStorage(this.#options, store, this.#report), fenceOf(store));
    this.#all.add(space);
    return space;
  }
}
