/**
 * The registered `Cache-Control` directives (RFC 9111 §5.2, RFC 8246 `immutable`, RFC 5861) and
 * the types that describe them, shared by the parser and the formatter in `cache-control.ts`.
 */
import type { Duration } from '@larder/core';

/** The largest delta-seconds a recipient keeps; larger values clamp to it (RFC 9111 §1.2.2). */
export const MAX_DELTA_SECONDS = 2147483648;

/**
 * Parsed `Cache-Control` directives. Numbers are delta-seconds, clamped at
 * {@link MAX_DELTA_SECONDS}; an invalid number reads as 0, i.e. "stale" (RFC 9111 §4.2.1).
 * `noCache` and `private` are `true` when unqualified, or the lower-case field names they list.
 */
export interface CacheControl {
  maxAge?: number;
  sMaxAge?: number;
  noCache?: true | string[];
  noStore?: true;
  noTransform?: true;
  mustRevalidate?: true;
  proxyRevalidate?: true;
  mustUnderstand?: true;
  private?: true | string[];
  public?: true;
  immutable?: true;
  staleWhileRevalidate?: number;
  staleIfError?: number;
  /** Request only (RFC 9111 §5.2.1.2): `true` when given without a value (any staleness). */
  maxStale?: number | true;
  /** Request only (RFC 9111 §5.2.1.3). */
  minFresh?: number;
  /** Request only (RFC 9111 §5.2.1.7). */
  onlyIfCached?: true;
  /** Unknown directives, lower-case names, first occurrence kept: a value, or `true` when bare. */
  extensions?: Record<string, string | true>;
}

/**
 * Directives to write. Numbers may be any {@link Duration} (seconds, `'5m'`, `'never'`); fractions
 * round down to whole seconds. `false` removes a directive when merging; `undefined` is ignored.
 */
export interface CacheControlInput {
  maxAge?: Duration | false | undefined;
  sMaxAge?: Duration | false | undefined;
  noCache?: boolean | readonly string[] | undefined;
  noStore?: boolean | undefined;
  noTransform?: boolean | undefined;
  mustRevalidate?: boolean | undefined;
  proxyRevalidate?: boolean | undefined;
  mustUnderstand?: boolean | undefined;
  private?: boolean | readonly string[] | undefined;
  public?: boolean | undefined;
  immutable?: boolean | undefined;
  staleWhileRevalidate?: Duration | false | undefined;
  staleIfError?: Duration | false | undefined;
  maxStale?: Duration | boolean | undefined;
  minFresh?: Duration | false | undefined;
  onlyIfCached?: boolean | undefined;
  extensions?: Record<string, string | boolean | undefined> | undefined;
}

export type Kind = 'seconds' | 'flag' | 'list' | 'seconds-or-flag';
export type Property = Exclude<keyof CacheControl, 'extensions'>;

/** Every registered directive, in the order `formatCacheControl` writes them. */
export const DIRECTIVES: ReadonlyArray<readonly [name: string, property: Property, kind: Kind]> = [
  ['public', 'public', 'flag'],
  ['private', 'private', 'list'],
  ['no-cache', 'noCache', 'list'],
  ['no-store', 'noStore', 'flag'],
  ['no-transform', 'noTransform', 'flag'],
  ['must-revalidate', 'mustRevalidate', 'flag'],
  ['proxy-revalidate', 'proxyRevalidate', 'flag'],
  ['must-understand', 'mustUnderstand', 'flag'],
  ['max-age', 'maxAge', 'seconds'],
  ['s-maxage', 'sMaxAge', 'seconds'],
  ['max-stale', 'maxStale', 'seconds-or-flag'],
  ['min-fresh', 'minFresh', 'seconds'],
  ['only-if-cached', 'onlyIfCached', 'flag'],
  ['immutable', 'immutable', 'flag'],
  ['stale-while-revalidate', 'staleWhileRevalidate', 'seconds'],
  ['stale-if-error', 'staleIfError', 'seconds'],
];
export const BY_NAME = new Map(DIRECTIVES.map((entry) => [entry[0], entry] as const));
export const PROPERTIES = new Set<string>([...DIRECTIVES.map((entry) => entry[1]), 'extensions']);
