import type { BypassReason, ResponseCacheStats } from './types.ts';

/** The live counters of one response cache; {@link snapshot} copies them for `stats()`. */
export class Counters {
  hits = 0;
  misses = 0;
  stale = 0;
  coalesced = 0;
  notModified = 0;
  stored = 0;
  storeErrors = 0;
  readonly bypass: Partial<Record<BypassReason, number>> = {};

  /** Counts a request or response that was not served from or stored into the cache. */
  bypassed(reason: BypassReason): void {
    this.bypass[reason] = (this.bypass[reason] ?? 0) + 1;
  }

  /** Takes back one {@link bypassed} count (another instance counts the request). */
  withdrawBypass(reason: BypassReason): void {
    const count = (this.bypass[reason] ?? 0) - 1;
    if (count > 0) this.bypass[reason] = count;
    else delete this.bypass[reason];
  }

  snapshot(): ResponseCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      stale: this.stale,
      coalesced: this.coalesced,
      notModified: this.notModified,
      stored: this.stored,
      bypass: { ...this.bypass },
      storeErrors: this.storeErrors,
    };
  }
}
