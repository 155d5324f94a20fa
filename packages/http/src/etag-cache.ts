/**
 * The decision behind `etagCache` on Express and Koa: which ETag to set from a version key and
 * whether the request can be answered 304 or 412 before the handler does its expensive work.
 */
import { checkOptions, describeValue, optionNames } from '@larder/core';
import {
  type ConditionalRequest,
  isNotModified,
  notModifiedRemovals,
  preconditionFailed,
} from './conditional.ts';
import { etagFromKey } from './etag.ts';
import { EMPTY_PATCH, type HeaderPatch } from './header-patch.ts';
import type { HeaderRecord } from './response-cache/types.ts';

/** Options of `etagCache`. */
export interface EtagCacheOptions {
  /** Send a weak ETag (`W/"…"`): the same key may stand for byte-different but equivalent bodies. @default false */
  weak?: boolean | undefined;
}

const KNOWN = optionNames<EtagCacheOptions>({ weak: true });

/** The response as it stands when `etagCache` is called. */
export interface PendingResponse {
  /** The status the response will have if the handler carries on. */
  readonly status: number;
  /** Headers already set, lower-case names. */
  readonly headers: HeaderRecord;
  /** The headers have gone out already: nothing can be set any more. @default false */
  readonly headersSent?: boolean | undefined;
}

/** What the adapter does: apply `patch`, then, when `status` is set, end the response with it. */
export interface EtagCacheDecision {
  /** End the response now, without a body and without the handler's work: 304 or 412; `undefined` to carry on. */
  readonly status: 304 | 412 | undefined;
  /** `status === 304`. */
  readonly notModified: boolean;
  /** The ETag set, or `undefined` when none is (a method other than GET and HEAD, or a status other than 2xx). */
  readonly etag: string | undefined;
  readonly patch: HeaderPatch;
}

/**
 * Decides `etagCache(…, key)` in the order of RFC 9110 §13.2.2, for a response that would be 2xx
 * and whose headers are not sent yet (§13.2.1; anything else is left untouched):
 * 1–2. an `If-Match` that the key's ETag does not strongly match, or (without `If-Match`) an
 *   `If-Unmodified-Since` earlier than a `Last-Modified` already set, means 412 for any method
 *   (§13.1.1, §13.1.4): the handler must not perform the method;
 * 3–4. for GET and HEAD, a matching `If-None-Match` (or, without it, a satisfied
 *   `If-Modified-Since` against `Last-Modified`) means 304 (§13.1.2, §13.1.3).
 * For GET and HEAD the ETag made from `key` replaces any other (never two ETags); a 304 or 412
 * drops the body's representation headers.
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
  checkOptions(options, KNOWN, caller);
  if (options.weak !== undefined && typeof options.weak !== 'boolean') {
    throw new TypeError(
      `${caller}: option "weak" must be a boolean, got ${describeValue(options.weak)}`,
    );
  }
  // Validate the key on every request, so a bad key fails in development even on a POST.
  const etag = etagFromKey(key, { weak: options.weak }, caller);
  const method = request.method.toUpperCase();
  // Once the headers are out, nothing can be set any more: the handler carries on.
  if (response.headersSent === true || response.status < 200 || response.status >= 300) {
    return CARRY_ON;
  }
  const readable = method === 'GET' || method === 'HEAD';
  const validators = { etag, lastModified: lastModified(response.headers['last-modified']) };
  let status: EtagCacheDecision['status'];
  if (preconditionFailed(request, validators)) status = 412;
  else if (readable && isNotModified(request, validators)) status = 304;
  if (!readable && status === undefined) return CARRY_ON;
  return {
    status,
    notModified: status === 304,
    etag: readable ? etag : undefined,
    patch: {
      set: readable ? { etag } : {},
      remove: status === undefined ? [] : notModifiedRemovals(response.headers),
    },
  };
}

const CARRY_ON: EtagCacheDecision = {
  status: undefined,
  notModified: false,
  etag: undefined,
  patch: EMPTY_PATCH,
};

function lastModified(value: HeaderRecord[string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
