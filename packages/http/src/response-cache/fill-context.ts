import type { Flight, MissMemory } from './coalesce.ts';
import type { ResolvedOptions } from './options.ts';
import type { Counters } from './stats.ts';
import type { StorePolicy } from './storability.ts';
import type { EntryStorage } from './storage.ts';
import type { CacheRequest } from './types.ts';

/** What a fill shares with the engine that made it. */
export interface FillContext {
  readonly options: ResolvedOptions;
  readonly counters: Counters;
  readonly storage: EntryStorage;
  readonly flights: Map<string, Flight>;
  readonly missMemory: MissMemory;
  readonly policy: StorePolicy;
  /** Request fields added to a stored response's Vary. */
  readonly vary: readonly string[];
  /** The same plus `accept-encoding`, for a response with a content coding. */
  readonly codedVary: readonly string[];
  /** Bumped by every invalidation; a fill compares it with the value it started under. */
  readonly epoch: number;
  /** The content codings a request accepts (the key's coding component). */
  codingsOf(request: CacheRequest): number;
}
