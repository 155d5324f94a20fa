/**
 * The decision behind `etagCache` on Express and Koa: which ETag to set from a version key and
 * whether the request can be answered 304 before the handler does its expensive work.
 */
import { type ConditionalRequest, isNotModified, notModifiedRemovals } from './conditional.ts';
import { etagFromKey } from './etag.ts';
import { EMPTY_PATCH, type HeaderPatch } from './header-patch.ts';
import type { HeaderRecord } from './response-cache/types.ts';

/** Options of `etagCache`. */
export interface EtagCacheOptions {
  /** Send a weak ETag (`W/"…"`): the same key may stand for byte-different but equivalent bodies. @default false */
  weak?: boolean | undefined;
}

/** The response as it stands when `etagCache` is called. */
export interface PendingResponse {
  /** The status the response will have if the handler carries on. */
  readonly status: number;
  /** Headers already set, lower-case names. */
  readonly headers: HeaderRecord;
  /** The headers have gone out already: nothing can be set any more. @default false */
  readonly headersSent?: boolean | undefined;
}

/** What the adapter does: apply `patch`, then, when `notModified`, end the response with status 304. */
export interface EtagCacheDecision {
  readonly notModified: boolean;
  /** The ETag set, or `undefined` when the request is not eligible (method, status). */
  readonly etag: string | undefined;
  readonly patch: HeaderPatch;
}

/**
 * Decides `etagCache(…, key)`: for a GET or HEAD whose response would be 2xx, the ETag made from
 * `key` replaces any other (never two ETags), and a matching `If-None-Match` (or, without it, a
 * satisfied `If-Modified-Since` against a `Last-Modified` already set) means 304 without the
 * body's representation headers. Other requests, and responses whose headers are already sent,
 * are left untouched (RFC 9110 §13.1.2, §13.2.1).
 *
 * @param caller - the public function named in error messages
 * @throws TypeError for an invalid key or options
 */
export function etagCacheDecision(
  request: ConditionalRequest,
  response: PendingResponse,
  key: string | number,
  options: EtagCacheOptions = {},
  caller = 'etagCache',
): EtagCacheDecision {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${caller}: options must be an object, got ${String(options)}`);
  }
  if (options.weak !== undefined && typeof options.weak !== 'boolean') {
    throw new TypeError(`${caller}: option "weak" must be a boolean, got ${String(options.weak)}`);
  }
  // Validate the key on every request, so a bad key fails in development even on a POST.
  const etag = etagFromKey(key, { weak: options.weak }, caller);
  const method = request.method.toUpperCase();
  // Once the headers are out, neither an ETag nor a 304 can be sent: the handler carries on.
  const eligible =
    response.headersSent !== true &&
    (method === 'GET' || method === 'HEAD') &&
    response.status >= 200 &&
    response.status < 300;
  if (!eligible) return { notModified: false, etag: undefined, patch: EMPTY_PATCH };
  const notModified = isNotModified(request, {
    etag,
    lastModified: lastModified(response.headers['last-modified']),
  });
  return {
    notModified,
    etag,
    patch: {
      set: { etag },
      remove: notModified ? notModifiedRemovals(response.headers) : [],
    },
  };
}

function lastModified(value: HeaderRecord[string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
