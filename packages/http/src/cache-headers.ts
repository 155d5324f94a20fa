/**
 * The `cacheHeaders(options)` middleware's rules, shared by Express and Koa: app- or router-wide
 * caching headers for successful responses, never overwriting a handler's own `Cache-Control`,
 * and errors kept out of caches.
 */
import type { Clock, Duration } from '@larder/core';
import { checkOptions, describeValue, optionNames } from '@larder/core';
import { cacheExpiresPatch, NO_CACHE_HEADERS } from './browser-cache.ts';
import { type CacheControlInput, formatCacheControl } from './cache-control.ts';
import type { HeaderPatch } from './header-patch.ts';
import type { HeaderRecord } from './response-cache/types.ts';

/** Options of `cacheHeaders()` on Express and Koa (the very same type on both). */
export interface CacheHeadersOptions {
  /** `Cache-Control` directives for successful responses that set none (durations in seconds or `'5m'`). */
  cacheControl?: CacheControlInput;
  /**
   * Lifetime written as `cacheExpires` does (`max-age`, `Expires`, `Last-Modified` if absent),
   * merged with `cacheControl`; a duration in seconds or `'10m'`, `'never'` = one year.
   */
  expires?: Duration;
  /** Send the full "do not store" set (`noCache`) on successful responses that set no `Cache-Control`. @default false */
  noCache?: boolean;
  /**
   * Keep errors out of caches with `Cache-Control: no-store`: on every 5xx (replacing what the
   * handler set before failing) and on 4xx that carry no `Cache-Control` of their own. @default true
   */
  noStoreOnError?: boolean;
  /** Methods whose successful responses get the defaults. @default ['GET', 'HEAD'] */
  methods?: readonly string[];
  /** The clock for `Expires`, epoch milliseconds. @default Date.now */
  now?: Clock;
}

/** Options checked and precomputed once, when the middleware is created. */
export interface ResolvedCacheHeaders {
  readonly success:
    | { readonly kind: 'none' }
    | { readonly kind: 'headers'; readonly headers: Readonly<Record<string, string>> }
    | {
        readonly kind: 'expires';
        readonly seconds: Duration;
        readonly directives: CacheControlInput;
      };
  readonly noStoreOnError: boolean;
  readonly methods: ReadonlySet<string>;
  readonly now: Clock;
}

/** The response as the middleware sees it when its headers are about to go out. */
export interface FinishedResponse {
  readonly method: string;
  readonly status: number;
  /** Headers the response carries, lower-case names. */
  readonly headers: HeaderRecord;
}

const KNOWN = optionNames<CacheHeadersOptions>({
  cacheControl: true,
  expires: true,
  noCache: true,
  noStoreOnError: true,
  methods: true,
  now: true,
});

/**
 * Validates `cacheHeaders` options and precomputes what can be: the directives are formatted
 * once, so a bad duration throws here, at setup.
 *
 * @param caller - the public function named in error messages
 * @throws TypeError or RangeError naming the option and the value
 */
export function resolveCacheHeadersOptions(
  given?: CacheHeadersOptions,
  caller = 'cacheHeaders',
): ResolvedCacheHeaders {
  const options = checkOptions(given, KNOWN, caller);
  const { cacheControl, expires, noCache = false, noStoreOnError = true, now = Date.now } = options;
  for (const [name, value] of [
    ['noCache', noCache],
    ['noStoreOnError', noStoreOnError],
  ] as const) {
    if (typeof value !== 'boolean') {
      throw new TypeError(
        `${caller}: option "${name}" must be a boolean, got ${describeValue(value)}`,
      );
    }
  }
  if (typeof now !== 'function') {
    throw new TypeError(`${caller}: option "now" must be a function, got ${describeValue(now)}`);
  }
  if (noCache && (cacheControl !== undefined || expires !== undefined)) {
    throw new TypeError(
      `${caller}: option "noCache" cannot be combined with "cacheControl" or "expires"`,
    );
  }
  const methods = resolveMethods(options.methods, caller);
  let success: ResolvedCacheHeaders['success'] = { kind: 'none' };
  if (noCache) {
    success = { kind: 'headers', headers: NO_CACHE_HEADERS };
  } else if (expires !== undefined) {
    // A dry run validates the duration and the directives now rather than on the first request.
    cacheExpiresPatch({}, expires, cacheControl ?? {}, 0, caller);
    // A deep copy: the caller's lists and extensions may change later; the defaults must not.
    success = {
      kind: 'expires',
      seconds: expires,
      directives: structuredClone(cacheControl ?? {}),
    };
  } else if (cacheControl !== undefined) {
    const value = formatCacheControl(cacheControl, caller);
    success = value === '' ? success : { kind: 'headers', headers: { 'cache-control': value } };
  }
  return Object.freeze({ success, noStoreOnError, methods, now });
}

function resolveMethods(methods: readonly string[] | undefined, caller: string): Set<string> {
  if (methods === undefined) return new Set(['GET', 'HEAD']);
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string' && m !== '')) {
    throw new TypeError(
      `${caller}: option "methods" must be a list of method names, got ${describeValue(methods)}`,
    );
  }
  return new Set(methods.map((m) => m.toUpperCase()));
}

/**
 * The headers `cacheHeaders` adds to a finished response, or `undefined` to leave it alone.
 * 2xx responses (and a 304, which stands for one and must carry the same `Cache-Control`, RFC 9110
 * §15.4.5) get the defaults unless they already have a `Cache-Control`; 5xx always get
 * `no-store`; 4xx get it unless they set their own; 1xx and other 3xx are left alone.
 */
export function cacheHeadersPatch(
  resolved: ResolvedCacheHeaders,
  response: FinishedResponse,
): HeaderPatch | undefined {
  const { status, headers } = response;
  const hasCacheControl = headers['cache-control'] !== undefined;
  if (status >= 500 || (status >= 400 && !hasCacheControl)) {
    return resolved.noStoreOnError
      ? { set: { 'cache-control': 'no-store' }, remove: status >= 500 ? ['expires'] : [] }
      : undefined;
  }
  const successful = (status >= 200 && status < 300) || status === 304;
  if (!successful || hasCacheControl || !resolved.methods.has(response.method.toUpperCase())) {
    return undefined;
  }
  const { success } = resolved;
  if (success.kind === 'none') return undefined;
  if (success.kind === 'headers') return { set: { ...success.headers }, remove: [] };
  return cacheExpiresPatch(headers, success.seconds, success.directives, resolved.now());
}
