import { isNotModified, notModifiedHeaders } from '../conditional.ts';
import { etagForCoding } from '../etag.ts';
import { type CacheStatus, hitStatus, type StatusNames, statusHeaders } from './cache-status.ts';
import { acceptedCodings } from './encoding.ts';
import { freshUntil, type StoredEntry } from './entry.ts';
import { outgoingHeaders } from './stored-headers.ts';
import type { CacheRequest, CapturedResponse, OutgoingHeaders, Reply } from './types.ts';

/** True when a request carries a validator the stored entry could satisfy. */
function isConditional(request: CacheRequest): boolean {
  const h = request.headers;
  return h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined;
}

/**
 * The reply for a request served from an entry: status, the precomputed headers plus `Age`
 * (RFC 9111 §5.1, from the store time) and the status headers, and the body unless the request
 * is a HEAD. A conditional request whose validators match gets a 304 carrying the headers
 * RFC 9110 §15.4.5 asks for and no body.
 *
 * @param standard - the `Cache-Status` value; `undefined` for a hit, whose value says its ttl
 * @param age - include `Age` (replies served from storage); a fresh miss goes without
 */
export function replyFromEntry(
  entry: StoredEntry,
  request: CacheRequest,
  now: number,
  short: CacheStatus,
  standard: string | undefined,
  names: StatusNames,
  age: boolean,
): Reply {
  const stored = entry.h;
  const matched = isConditional(request) ? matchedTag(entry, request) : undefined;
  if (matched !== undefined) {
    const headers = notModifiedHeaders(stored);
    // RFC 9110 §15.4.5: the 304 carries the ETag of the representation the client holds.
    if (matched !== true) headers.etag = matched;
    decorate(headers, entry, now, short, standard, names, age);
    return { status: 304, headers, body: undefined };
  }
  // The stored headers already hold `age` and status-header slots (see createEntry): a copy
  // that only overwrites them keeps V8's fast object shape, where adding fields per hit would not.
  const headers =
    age && entry.s === (names.short ?? '') && entry.r === (names.standard ?? '')
      ? { ...stored }
      : without(stored, age ? '' : 'age', entry.s, entry.r, names);
  decorate(headers, entry, now, short, standard, names, age);
  return { status: 200, headers, body: request.method === 'HEAD' ? undefined : entry.b };
}

/**
 * A copy of the stored headers without `drop` (a miss has no Age) and without the entry's status
 * slots `s` and `r` when this cache names its status headers otherwise (another cache's entry).
 */
function without(
  stored: OutgoingHeaders,
  drop: string,
  s: string,
  r: string,
  names: StatusNames,
): OutgoingHeaders {
  const out: OutgoingHeaders = {};
  for (const name in stored) {
    if (name === drop) continue;
    if (name === s && s !== names.short) continue;
    if (name === r && r !== names.standard) continue;
    out[name] = stored[name] as string | string[];
  }
  return out;
}

/** Content codings whose strong ETags the cache derives (see `etagForCoding`), with their bits. */
const CODED: readonly (readonly [string, number])[] = [
  ['gzip', 1],
  ['br', 2],
  ['deflate', 4],
  ['zstd', 8],
];

/**
 * How the request's conditional headers match the entry's validators (RFC 9110 §13.2.2): `true`
 * for the stored ones, the ETag of a content coding of the stored body that compression outside
 * the cache gave the client (`"abc-gzip"`, for a coding the request accepts), or `undefined`.
 */
function matchedTag(entry: StoredEntry, request: CacheRequest): string | true | undefined {
  const etag = entry.h.etag;
  const lastModified = entry.h['last-modified'];
  const tag = typeof etag === 'string' ? etag : undefined;
  const validators = {
    etag: tag,
    lastModified: typeof lastModified === 'string' ? lastModified : undefined,
  };
  if (isNotModified(request, validators)) return true;
  if (tag === undefined || tag.startsWith('W/') || request.headers['if-none-match'] === undefined) {
    return undefined;
  }
  const codings = acceptedCodings(request.headers['accept-encoding']);
  for (const [name, bit] of CODED) {
    if ((codings & bit) === 0) continue;
    const coded = etagForCoding(tag, name);
    if (coded !== tag && isNotModified(request, { etag: coded })) return coded;
  }
  return undefined;
}

/** Sets `Age` (replies from storage) and the status headers on a reply's headers. */
function decorate(
  headers: OutgoingHeaders,
  entry: StoredEntry,
  now: number,
  short: CacheStatus,
  standard: string | undefined,
  names: StatusNames,
  age: boolean,
): void {
  if (age) headers.age = String(Math.max(0, Math.floor((now - entry.t) / 1000)));
  if (names.short !== undefined) headers[names.short] = short;
  if (names.standard !== undefined) {
    headers[names.standard] = standard ?? hitStatus(freshUntil(entry), now);
  }
}

/**
 * A response that was not stored, as the adapter sends it: its own headers (without any status
 * header of its own), `BYPASS` and the `Cache-Status` value given, the body.
 */
export function passThrough(
  response: CapturedResponse,
  names: StatusNames,
  standard: string,
): Reply {
  const headers = outgoingHeaders(response, [], names.short);
  // RFC 9110 §8.6: no Content-Length on 204, and a 304's would describe the unsent 200.
  if (response.status === 204 || response.status === 304 || response.status < 200) {
    delete headers['content-length'];
  }
  if (names.standard !== undefined) delete headers[names.standard];
  Object.assign(headers, statusHeaders(names, 'BYPASS', standard));
  return { status: response.status, headers, body: response.body };
}
