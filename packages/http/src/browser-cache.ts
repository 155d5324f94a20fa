/**
 * The header changes behind `cacheControl`, `cacheExpires` and `noCache` on Express and Koa,
 * computed from plain header records so both frameworks behave the same, and the factory that
 * binds them to a framework's response.
 */
import {
  checkOptions,
  type Duration,
  describeValue,
  optionNames,
  parseDuration,
} from '@larder/core';
import {
  type CacheControlInput,
  formatCacheControl,
  MAX_DELTA_SECONDS,
  mergeCacheControl,
} from './cache-control.ts';
import type { HeaderPatch } from './header-patch.ts';
import { headerText } from './header-syntax.ts';
import { formatHttpDate } from './http-date.ts';
import type { HeaderRecord } from './response-cache/types.ts';

/** Options of `cacheControl(res | ctx, directives, options)`. */
export interface CacheControlOptions {
  /** Replace the existing `Cache-Control` instead of merging into it. @default false */
  replace?: boolean | undefined;
}

/** When a response expires: a {@link Duration} from now (`'never'` = one year), or a `Date`. */
export type CacheExpiresValue = Duration | Date;

/** What `'never'` (or `Infinity`) means for `cacheExpires`: one year, the longest lifetime worth sending. */
export const NEVER_EXPIRES_SECONDS = 31_536_000;
const CONTROL_OPTIONS = optionNames<CacheControlOptions>({ replace: true });

/**
 * `Cache-Control` after `cacheControl(res, directives)`: merged into the existing value (see
 * `mergeCacheControl`) or replacing it; removed when nothing is left.
 *
 * @param caller - the public function named in error messages
 */
export function cacheControlPatch(
  headers: HeaderRecord,
  directives: CacheControlInput,
  options: CacheControlOptions = {},
  caller = 'cacheControl',
): HeaderPatch {
  checkOptions(options, CONTROL_OPTIONS, caller);
  if (options.replace !== undefined && typeof options.replace !== 'boolean') {
    throw new TypeError(
      `${caller}: option "replace" must be a boolean, got ${describeValue(options.replace)}`,
    );
  }
  const value =
    options.replace === true
      ? formatCacheControl(directives, caller)
      : mergeCacheControl(headers['cache-control'], directives, caller);
  return value === ''
    ? { set: {}, remove: ['cache-control'] }
    : { set: { 'cache-control': value }, remove: [] };
}

/**
 * `Cache-Control: max-age`, `Expires` and `Last-Modified` set together from one clock reading.
 * A positive lifetime also removes `no-store`, `no-cache` and `Pragma: no-cache`, which would
 * contradict it (an app-wide `noCache` default is overridden this way); `directives` are merged
 * last. `Last-Modified` is set to now only when the response has none: a handler that knows when
 * its data changed has already said so, and an earlier date must not be moved forward.
 *
 * @param now - epoch milliseconds
 * @param caller - the public function named in error messages
 * @throws RangeError for a negative or unparseable duration, or a Date that is invalid or outside
 * the years 0000–9999; TypeError for invalid directives or `directives.maxAge`
 */
export function cacheExpiresPatch(
  headers: HeaderRecord,
  when: CacheExpiresValue,
  directives: CacheControlInput = {},
  now: number = Date.now(),
  caller = 'cacheExpires',
): HeaderPatch {
  if (directives === null || typeof directives !== 'object') {
    throw new TypeError(
      `${caller}: directives must be an object, got ${describeValue(directives)}`,
    );
  }
  if (directives.maxAge !== undefined) {
    throw new TypeError(
      `${caller}: give the lifetime as the duration argument, not directives.maxAge`,
    );
  }
  const { seconds, expires } = lifetime(when, now, caller);
  const allow: CacheControlInput = seconds > 0 ? { noStore: false, noCache: false } : {};
  const cacheControl = mergeCacheControl(
    headers['cache-control'],
    { ...allow, maxAge: seconds, ...defined(directives) },
    caller,
  );
  const set: Record<string, string> = {
    'cache-control': cacheControl,
    expires: formatHttpDate(expires),
  };
  if (headers['last-modified'] === undefined) set['last-modified'] = formatHttpDate(now);
  const remove = seconds > 0 && isPragmaNoCache(headers.pragma) ? ['pragma'] : [];
  return { set, remove };
}

function defined(directives: CacheControlInput): CacheControlInput {
  return Object.fromEntries(Object.entries(directives).filter(([, value]) => value !== undefined));
}

function lifetime(when: CacheExpiresValue, now: number, caller: string) {
  if (when instanceof Date) {
    const time = when.getTime();
    if (!Number.isFinite(time)) {
      throw new RangeError(`${caller}: expected a valid Date, got Invalid Date`);
    }
    const year = when.getUTCFullYear();
    // IMF-fixdate has a four-digit year (RFC 9110 §5.6.7): anything else cannot be sent.
    if (year < 0 || year > 9999) {
      throw new RangeError(
        `${caller}: expected a Date between the years 0000 and 9999, got ${when.toISOString()}`,
      );
    }
    // A Date in the past is an already-expired response: max-age=0 and that Expires.
    return { seconds: Math.max(0, Math.floor((time - now) / 1000)), expires: time };
  }
  const parsed = parseDuration(when, caller, 'duration');
  // RFC 9111 §1.2.2: no lifetime beyond 2^31 seconds is meaningful; it also keeps Expires sendable.
  const seconds = Number.isFinite(parsed)
    ? Math.min(Math.floor(parsed), MAX_DELTA_SECONDS)
    : NEVER_EXPIRES_SECONDS;
  return { seconds, expires: now + seconds * 1000 };
}

/** The full "do not store" set: `no-store` for HTTP/1.1, `Pragma` and `Expires: 0` for HTTP/1.0 caches. */
export const NO_CACHE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  pragma: 'no-cache',
  expires: '0',
});

/**
 * `noCache(res)`: replaces `Cache-Control` with `no-store` and adds `Pragma: no-cache` and
 * `Expires: 0` (RFC 9111 §5.3: an invalid date means already expired). `noCache(res, false)`
 * undoes it — removes `no-store`/`no-cache` (keeping other directives), `Pragma: no-cache` and
 * `Expires: 0` — so a route can lift an app-wide default before setting its own caching.
 */
export function noCachePatch(headers: HeaderRecord, enabled = true): HeaderPatch {
  if (enabled) return { set: { ...NO_CACHE_HEADERS }, remove: [] };
  const remove: string[] = [];
  const set: Record<string, string> = {};
  if (headers['cache-control'] !== undefined) {
    const rest = mergeCacheControl(headers['cache-control'], { noStore: false, noCache: false });
    if (rest === '') remove.push('cache-control');
    else set['cache-control'] = rest;
  }
  if (isPragmaNoCache(headers.pragma)) remove.push('pragma');
  if (headerText(headers.expires)?.trim() === '0') remove.push('expires');
  return { set, remove };
}

function isPragmaNoCache(value: HeaderRecord[string]): boolean {
  return headerText(value)?.trim().toLowerCase() === 'no-cache';
}

/** How an adapter reads a framework response's headers and writes a {@link HeaderPatch} onto it. */
export interface HeaderAccess<Target> {
  /** The headers set so far, lower-case names. */
  headers(target: Target): HeaderRecord;
  /** Removes, then sets, what the patch says. */
  apply(target: Target, patch: HeaderPatch): void;
}

/** `cacheControl`, `cacheExpires` and `noCache`, bound to one framework's response (`res` or `ctx`). */
export interface BrowserCacheHelpers<Target> {
  /**
   * Sets `Cache-Control` directives, merged into any the response has (each given directive
   * replaces its namesake, `false` removes one), or replacing it with `{ replace: true }`.
   * Durations are seconds or strings such as `'5m'`.
   *
   * @param options - `replace` (boolean, @default false)
   * @throws RangeError or TypeError for an invalid directive
   * @example cacheControl(res, { public: true, maxAge: '30s' }); // Cache-Control: public, max-age=30
   */
  cacheControl(target: Target, directives: CacheControlInput, options?: CacheControlOptions): void;
  /**
   * Makes the response cacheable for a while: `Cache-Control: max-age`, `Expires` and (when not
   * set already) `Last-Modified: now`, all from one clock reading. A positive lifetime lifts
   * `no-store`, `no-cache` and `Pragma: no-cache`; `directives` are merged last. A Date in the past
   * gives `max-age=0` and that `Expires`.
   *
   * @param when - seconds, a string such as `'10m'`, `'never'` (one year), or the `Date` it expires at
   * @throws RangeError for a negative or unparseable duration or an invalid Date
   * @example cacheExpires(res, '10m', { public: true });
   */
  cacheExpires(target: Target, when: CacheExpiresValue, directives?: CacheControlInput): void;
  /**
   * Forbids storing the response anywhere: `Cache-Control: no-store`, plus `Pragma: no-cache` and
   * `Expires: 0` for HTTP/1.0 caches. `noCache(res, false)` removes exactly that set again, so a
   * route can lift an app-wide `noCache` before setting its own caching (a later `cacheControl`
   * merge keeps `no-store`: the restrictive directive is never dropped silently).
   *
   * @param enabled - `false` to undo (@default true)
   * @example noCache(res);
   */
  noCache(target: Target, enabled?: boolean): void;
}

/**
 * Binds the browser-caching helpers to a framework: each reads the response's headers, computes
 * the patch here, and lets the adapter write it. Express and Koa differ only in `access`.
 *
 * @example
 * export const { cacheControl, cacheExpires, noCache } = browserCacheHelpers<ServerResponse>({
 *   headers: (res) => res.getHeaders(),
 *   apply: applyHeaderPatch,
 * });
 */
export function browserCacheHelpers<Target>(
  access: HeaderAccess<Target>,
): BrowserCacheHelpers<Target> {
  return {
    cacheControl(target, directives, options) {
      access.apply(target, cacheControlPatch(access.headers(target), directives, options));
    },
    cacheExpires(target, when, directives) {
      access.apply(target, cacheExpiresPatch(access.headers(target), when, directives));
    },
    noCache(target, enabled = true) {
      access.apply(target, noCachePatch(access.headers(target), enabled));
    },
  };
}
