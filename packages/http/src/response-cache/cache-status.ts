import type { BypassReason, OutgoingHeaders } from './types.ts';

/** The values of the short cache-status header (`X-Cache` by default). */
export type CacheStatus = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';

/** The names of the two status headers a reply carries, lower-case; `undefined` when switched off. */
export interface StatusNames {
  /** The short header (`x-cache`): HIT, MISS, STALE or BYPASS. */
  readonly short: string | undefined;
  /** The RFC 9211 header (`cache-status`). */
  readonly standard: string | undefined;
}

/** The cache's identifier in `Cache-Status` (RFC 9211 §2: a token naming the cache). */
const CACHE = 'Larder';

/**
 * Why a request went forward to the handler, in RFC 9211 §2.2 `fwd` terms: `uri-miss` nothing
 * stored for the URL, `miss` stored variants none of which fit (another content coding), `stale`
 * a stored response too old to serve, `bypass` the cache was not consulted.
 */
export type Forward = 'uri-miss' | 'miss' | 'stale' | 'bypass';

/**
 * `Cache-Status` for a response served from storage: `hit` and the remaining freshness in whole
 * seconds (RFC 9211 §2.1, §2.4; negative once stale), none for an entry that never expires.
 */
export function hitStatus(freshUntil: number, now: number): string {
  if (freshUntil === Number.POSITIVE_INFINITY) return `${CACHE}; hit`;
  const ttl = Math.floor((freshUntil - now) / 1000);
  // Consecutive hits with the same ttl (one entry within one second) share the value: the hit
  // path builds no string then.
  if (ttl === lastTtl) return lastValue;
  lastTtl = ttl;
  lastValue = `${CACHE}; hit; ttl=${ttl}`;
  return lastValue;
}

let lastTtl = Number.NaN;
let lastValue = '';

/**
 * `Cache-Status` for a response the handler made (RFC 9211 §2.2, §2.5, §2.7): why it went forward,
 * whether it was stored, and the reason it was not (`detail`, a token such as `set-cookie`).
 */
export function forwardStatus(
  fwd: Forward,
  stored: boolean,
  detail?: BypassReason | 'collapsed' | 'invalidated',
): string {
  const base = `${CACHE}; fwd=${fwd}`;
  if (detail === 'collapsed') return `${base}; collapsed`;
  if (stored) return `${base}; stored`;
  return detail === undefined ? base : `${base}; detail=${detail}`;
}

/** Both status headers with the given values (a switched-off header is left out). */
export function statusHeaders(
  names: StatusNames,
  short: CacheStatus,
  standard: string,
): OutgoingHeaders {
  const out: OutgoingHeaders = {};
  if (names.short !== undefined) out[names.short] = short;
  if (names.standard !== undefined) out[names.standard] = standard;
  return out;
}
