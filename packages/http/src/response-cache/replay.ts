import { isNotModified, notModifiedHeaders } from '../conditional.ts';
import type { StoredEntry } from './entry.ts';
import type { CacheRequest, OutgoingHeaders, Reply } from './types.ts';

/** The values of the cache-status header. */
export type CacheStatus = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';

/** True when a request carries a validator the stored entry could satisfy. */
function isConditional(request: CacheRequest): boolean {
  const h = request.headers;
  return h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined;
}

/**
 * The reply for a request served from an entry: status, the precomputed headers plus `Age`
 * (RFC 9111 §5.1, from the store time) and the cache-status header, and the body unless the request
 * is a HEAD. A conditional request whose validators match gets a 304 carrying the headers
 * RFC 9110 §15.4.5 asks for and no body.
 *
 * @param age - include `Age` (replies served from storage); a fresh miss goes without
 */
export function replyFromEntry(
  entry: StoredEntry,
  request: CacheRequest,
  now: number,
  status: CacheStatus,
  statusHeader: string | undefined,
  age: boolean,
): Reply {
  const stored = entry.h;
  if (isConditional(request) && matches(entry, request)) {
    return {
      status: 304,
      headers: decorate(notModifiedHeaders(stored), entry, now, status, statusHeader, age),
      body: undefined,
    };
  }
  // The stored headers already hold `age` and status-header slots (see createEntry): a copy
  // that only overwrites them keeps V8's fast object shape, where adding fields per hit would not.
  const slot = entry.s;
  const headers =
    age && slot === (statusHeader ?? '')
      ? { ...stored }
      : without(stored, age ? slot : 'age', age ? '' : slot);
  decorate(headers, entry, now, status, statusHeader, age);
  return { status: 200, headers, body: request.method === 'HEAD' ? undefined : entry.b };
}

/** A copy of the stored headers without the named slots (a miss has no Age; another cache's status slot). */
function without(stored: OutgoingHeaders, a: string, b: string): OutgoingHeaders {
  const out: OutgoingHeaders = {};
  for (const name in stored) {
    if (name !== a && name !== b) out[name] = stored[name] as string | string[];
  }
  return out;
}

/** True when the request's conditional headers match the entry's validators (RFC 9110 §13.2.2). */
export function matches(entry: StoredEntry, request: CacheRequest): boolean {
  const etag = entry.h.etag;
  const lastModified = entry.h['last-modified'];
  return isNotModified(request, {
    etag: typeof etag === 'string' ? etag : undefined,
    lastModified: typeof lastModified === 'string' ? lastModified : undefined,
  });
}

function decorate(
  headers: OutgoingHeaders,
  entry: StoredEntry,
  now: number,
  status: CacheStatus,
  statusHeader: string | undefined,
  age: boolean,
): OutgoingHeaders {
  if (age) headers.age = String(Math.max(0, Math.floor((now - entry.t) / 1000)));
  if (statusHeader !== undefined) headers[statusHeader] = status;
  return headers;
}

/** Headers carrying only the cache status (for passes and abandoned fills). */
export function statusOnly(statusHeader: string | undefined, status: CacheStatus): OutgoingHeaders {
  return statusHeader === undefined ? {} : { [statusHeader]: status };
}
