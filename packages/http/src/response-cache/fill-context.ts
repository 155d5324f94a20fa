import type { ResolvedOptions } from './options.ts';
import type { Space } from './space.ts';
import type { Counters } from './stats.ts';
import type { StorePolicy } from './storability.ts';
import type { CacheRequest } from './types.ts';
import type { VaryKeyer } from './vary-recipe.ts';

/** What a fill shares with the engine that made it. */
export interface FillContext {
  readonly options: ResolvedOptions;
  readonly counters: Counters;
  readonly policy: StorePolicy;
  /** Request fields added to a stored response's Vary. */
  readonly vary: readonly string[];
  /** The same plus `accept-encoding`, for a response with a content coding. */
  readonly codedVary: readonly string[];
  /** Variant keys for responses whose Vary names request fields outside the key. */
  readonly variants: VaryKeyer;
}

/** One request's place in the cache: where it was looked up, and where its response may go. */
export interface Lookup {
  readonly request: CacheRequest;
  /** The store (and in-process state) of the request's application. */
  readonly space: Space;
  /** The key built from the request; where a recipe of learned Vary fields is kept. */
  readonly root: string;
  /** The base key: every coding variant of the request lives under it. */
  readonly base: string;
  /** The content codings the request accepts (`acceptedCodings`). */
  readonly codings: number;
  /** The key read: the base key, or its coding variant when the base holds a coding marker. */
  readonly key: string;
}
