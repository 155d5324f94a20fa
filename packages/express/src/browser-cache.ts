import type { ServerResponse } from 'node:http';
import {
  type CacheControlInput,
  type CacheControlOptions,
  type CacheExpiresValue,
  cacheControlPatch,
  cacheExpiresPatch,
  noCachePatch,
} from '@larder/http';
import { applyHeaderPatch } from './apply-header-patch.ts';

/**
 * Sets `Cache-Control` directives on the response, merged into any it already has (each given
 * directive replaces its namesake, `false` removes one), or replacing it with `{ replace: true }`.
 * Durations are seconds or strings such as `'5m'`.
 *
 * @param options - `replace` (boolean, @default false)
 * @throws RangeError or TypeError for an invalid directive
 * @example cacheControl(res, { public: true, maxAge: '30s' }); // Cache-Control: public, max-age=30
 */
export function cacheControl(
  res: ServerResponse,
  directives: CacheControlInput,
  options?: CacheControlOptions,
): void {
  applyHeaderPatch(res, cacheControlPatch(res.getHeaders(), directives, options));
}

/**
 * Makes the response cacheable for a while: `Cache-Control: max-age`, `Expires` and (when not set
 * already) `Last-Modified: now`, all from one clock reading (Pylons' `cache_expires`). A positive
 * lifetime lifts `no-store`, `no-cache` and `Pragma: no-cache`; `directives` are merged last.
 *
 * @param when - seconds, a string such as `'10m'`, `'never'` (one year), or the `Date` it expires at
 * @throws RangeError for a negative or unparseable duration or an invalid Date
 * @example cacheExpires(res, '10m', { public: true });
 */
export function cacheExpires(
  res: ServerResponse,
  when: CacheExpiresValue,
  directives?: CacheControlInput,
): void {
  applyHeaderPatch(res, cacheExpiresPatch(res.getHeaders(), when, directives));
}

/**
 * Forbids storing the response anywhere: `Cache-Control: no-store`, plus `Pragma: no-cache` and
 * `Expires: 0` for HTTP/1.0 caches. `noCache(res, false)` removes exactly that set again, so a
 * route can lift an app-wide `noCache` before setting its own caching.
 *
 * @param enabled - `false` to undo (@default true)
 * @example noCache(res);
 */
export function noCache(res: ServerResponse, enabled = true): void {
  applyHeaderPatch(res, noCachePatch(res.getHeaders(), enabled));
}
