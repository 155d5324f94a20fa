/**
 * Conditional request evaluation as an origin server does it: the preconditions that fail with 412
 * (RFC 9110 §13.1.1, §13.1.4), conditional GET/HEAD (§13.1.2, §13.1.3) in the order of §13.2.2, and
 * the header set a 304 keeps (§15.4.5).
 *
 * Not built on `fresh`, for three reasons: it treats a request `Cache-Control: no-cache` as
 * "modified", which is a rule for caches (RFC 9111 §5.2.1.4) — an origin answering a conditional
 * request *is* the validation that directive asks for; it splits `If-None-Match` on commas inside
 * quoted tags; and it reads dates with `Date.parse`, accepting zones and formats RFC 9110 §13.1.3
 * says to ignore. A cache that must honour request `no-cache` checks it before asking this module.
 */

import { isETag, parseETagList, strongCompare, weakCompare } from './etag.ts';
import { headerText } from './header-syntax.ts';
import { parseHttpDate } from './http-date.ts';
import type { HeaderRecord, HeaderValue, OutgoingHeaders } from './response-cache/types.ts';

/** The request side of a conditional evaluation. */
export interface ConditionalRequest {
  /** The request method, any case. */
  readonly method: string;
  /** The request headers, lower-case names. */
  readonly headers: HeaderRecord;
}

/** The validators of the response that would be sent. */
export interface Validators {
  /** The response's `ETag` field value. */
  readonly etag?: string | undefined;
  /** The response's `Last-Modified`: an HTTP-date or epoch milliseconds. */
  readonly lastModified?: string | number | undefined;
}

/**
 * Whether a GET or HEAD can be answered `304 Not Modified` given the response's validators.
 * `If-None-Match` (weak comparison, lists, `*`) decides whenever present (RFC 9110 §13.2.2 step 3);
 * otherwise `If-Modified-Since`, which is ignored when invalid, repeated, or when there is no
 * `Last-Modified` (§13.1.3). Other methods are never "not modified". Never throws.
 *
 * The caller answers only when the response would otherwise be 2xx (RFC 9110 §13.2.1).
 *
 * @example isNotModified({ method: 'GET', headers: { 'if-none-match': 'W/"v1"' } }, { etag: '"v1"' }) // true
 */
export function isNotModified(request: ConditionalRequest, validators: Validators): boolean {
  const method = typeof request.method === 'string' ? request.method.toUpperCase() : '';
  if (method !== 'GET' && method !== 'HEAD') return false;
  const headers = request.headers ?? {};
  const ifNoneMatch = headerText(headers['if-none-match']);
  // §13.1.3: the field's presence alone, even empty or malformed, rules out If-Modified-Since.
  if (ifNoneMatch !== undefined) {
    // §13.1.2: "*" matches any current representation; the caller has one (it would send 2xx).
    const listed = parseETagList(ifNoneMatch);
    if (listed === '*') return true;
    const etag = typeof validators.etag === 'string' ? validators.etag.trim() : undefined;
    if (etag === undefined || !isETag(etag)) return false;
    return listed.some((tag) => weakCompare(tag, etag));
  }
  return notModifiedSince(headers['if-modified-since'], validators.lastModified);
}

/**
 * Whether the request's `If-Match` or `If-Unmodified-Since` fails against the current
 * representation, so that the origin must answer `412 Precondition Failed` without performing
 * the method (RFC 9110 §13.2.2 steps 1 and 2; any method). `If-Match` decides whenever present,
 * by strong comparison: a weak ETag never matches it, and `*` matches any current representation
 * (§13.1.1). Without it, `If-Unmodified-Since` fails when `Last-Modified` is later than the date
 * given; an invalid date, or no `Last-Modified` to compare with, leaves it ignored (§13.1.4).
 * Never throws.
 *
 * The caller asks only when the response would otherwise be 2xx (RFC 9110 §13.2.1).
 *
 * @example preconditionFailed({ method: 'PUT', headers: { 'if-match': '"v1"' } }, { etag: '"v2"' }) // true
 */
export function preconditionFailed(request: ConditionalRequest, validators: Validators): boolean {
  const headers = request.headers ?? {};
  const ifMatch = headerText(headers['if-match']);
  if (ifMatch !== undefined) {
    const listed = parseETagList(ifMatch);
    if (listed === '*') return false;
    const etag = typeof validators.etag === 'string' ? validators.etag.trim() : undefined;
    // §13.1.1: no current ETag, or one that no listed tag strongly matches: the condition is false.
    if (etag === undefined || !isETag(etag)) return true;
    return !listed.some((tag) => strongCompare(tag, etag));
  }
  const since = parseHttpDate(headers['if-unmodified-since']);
  const modified = modifiedAt(validators.lastModified);
  if (since === undefined || modified === undefined) return false;
  // HTTP dates have one-second resolution: compare whole seconds.
  return Math.floor(modified / 1000) > Math.floor(since / 1000);
}

/** §13.1.3: "false" (not modified) when the representation changed no later than the date given. */
function notModifiedSince(
  ifModifiedSince: HeaderValue | undefined,
  lastModified: string | number | undefined,
): boolean {
  const since = parseHttpDate(ifModifiedSince);
  if (since === undefined) return false;
  const modified = modifiedAt(lastModified);
  if (modified === undefined) return false;
  // HTTP dates have one-second resolution: compare whole seconds.
  return Math.floor(modified / 1000) <= Math.floor(since / 1000);
}

function modifiedAt(lastModified: string | number | undefined): number | undefined {
  if (typeof lastModified === 'number')
    return Number.isFinite(lastModified) ? lastModified : undefined;
  return parseHttpDate(lastModified);
}

/**
 * Fields a 304 carries when the 200 would have (RFC 9110 §15.4.5 "MUST": Cache-Control,
 * Content-Location, Date, ETag, Expires, Vary), plus Last-Modified, which guides cache updates.
 */
const NOT_MODIFIED_FIELDS = [
  'cache-control',
  'content-location',
  'date',
  'etag',
  'expires',
  'vary',
  'last-modified',
] as const;

/**
 * The headers of a 304 made from a full response's headers: the fields RFC 9110 §15.4.5 asks for
 * (and Last-Modified), nothing else. Names are lower-case; list values are kept as lists.
 *
 * @example notModifiedHeaders({ etag: '"1"', 'content-type': 'text/html', vary: 'Accept' })
 * // { etag: '"1"', vary: 'Accept' }
 */
export function notModifiedHeaders(headers: HeaderRecord): OutgoingHeaders {
  const out: OutgoingHeaders = {};
  const lower = new Map(Object.entries(headers).map(([name, v]) => [name.toLowerCase(), v]));
  for (const name of NOT_MODIFIED_FIELDS) {
    const value = lower.get(name);
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? [...value] : String(value);
  }
  return out;
}

/**
 * Representation metadata and framing a 304 must not carry (RFC 9110 §15.4.5, §8.6, §6.1): the
 * names in `headers` to remove when a response is turned into a 304 in place. Unlike
 * {@link notModifiedHeaders} it leaves other fields alone (Set-Cookie, CORS), because an adapter
 * answering early did not produce them.
 *
 * @example notModifiedRemovals({ 'content-type': 'text/html', 'set-cookie': 'a=1' }) // ['content-type']
 */
export function notModifiedRemovals(headers: HeaderRecord): string[] {
  return Object.keys(headers).filter((name) => REMOVED_ON_304.has(name.toLowerCase()));
}

const REMOVED_ON_304 = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-range',
  'content-disposition',
  'content-md5',
  'transfer-encoding',
]);
