import { etagForCoding, etagFromBody } from '../etag.ts';
import { mergeVary } from '../vary.ts';
import type { StatusNames } from './cache-status.ts';
import { compactBody, compactHeaders, compactValue, httpDate } from './compact.ts';
import type { CapturedResponse, OutgoingHeaders } from './types.ts';

/** The entry format's tag; an entry with any other tag (a foreign or older value) reads as a miss. */
const FORMAT = 2;
/** A window without end. Durations are kept as seconds (small integers cost V8 no heap box, epoch-ms doubles do). */
const NEVER = -1;

/**
 * One stored response, kept compact because the memory store holds it by reference and a
 * serializing store encodes it as is: a flat object of numbers, the reply headers and the body.
 * Only 200 responses are stored, so the status is implied.
 */
export interface StoredEntry {
  /** Format tag. */
  readonly v: typeof FORMAT;
  /** The reply headers, ready to send: hop-by-hop fields removed, Content-Length, ETag, Last-Modified, Date and Vary set. */
  readonly h: OutgoingHeaders;
  /** The body bytes as captured. */
  readonly b: Buffer;
  /** When it was stored, epoch ms (the origin of `Age`). */
  readonly t: number;
  /** Seconds fresh from `t`; {@link NEVER} for no expiry. */
  readonly f: number;
  /** Seconds servable stale (while one refresh runs) after it stops being fresh; {@link NEVER} for ever. */
  readonly w: number;
  /** Seconds servable stale in place of an error after it stops being fresh; {@link NEVER} for ever. */
  readonly e: number;
  /** The name of the short status slot in `h` (`''` for none), so a cache with another name can drop it. */
  readonly s: string;
  /** The name of the `Cache-Status` slot in `h` (`''` for none), likewise. */
  readonly r: string;
}

/** What {@link createEntry} needs besides the response. */
export interface EntryTimes {
  readonly now: number;
  /** Seconds fresh (`Infinity` for never), stale-while-revalidate and stale-if-error windows. */
  readonly ttl: number;
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
  /** The status headers' names, each given a slot in the stored headers. */
  readonly names: StatusNames;
}

/**
 * Builds the stored entry once, at store time, so a hit does no hashing and no header parsing:
 * the ETag is the app's or computed here from the body (RFC 9110 §8.8.3), Last-Modified the app's
 * or the store time (§8.8.2), Date the app's or the store time (kept on replay, with `Age`
 * measured from it, as RFC 9111 §4.2.3 expects), and Vary lists the keyed request fields.
 */
export function createEntry(
  response: CapturedResponse,
  headers: OutgoingHeaders,
  vary: readonly string[],
  times: EntryTimes,
): StoredEntry {
  const body = compactBody(response.body);
  if (typeof headers.etag !== 'string') headers.etag = etagFromBody(body);
  // RFC 9110 §8.8.3: a gzip body is another representation than the identity one, whose ETag the
  // app (Express's res.send) computed before compression inside the cache encoded it.
  const coding = headers['content-encoding'];
  if (typeof coding === 'string') headers.etag = etagForCoding(headers.etag, coding);
  if (typeof headers.date !== 'string') headers.date = httpDate(times.now);
  if (typeof headers['last-modified'] !== 'string') headers['last-modified'] = httpDate(times.now);
  if (vary.length > 0) headers.vary = mergeVary(headers.vary, ...vary);
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'string') headers[name] = compactValue(name, value);
  }
  // Slots each reply overwrites (Age, the cache status), so a hit copies the object without
  // changing its shape; a reply that must not carry them (a miss) leaves them out.
  headers.age = '0';
  const { short, standard } = times.names;
  if (short !== undefined) headers[short] = 'HIT';
  if (standard !== undefined) headers[standard] = '';
  return {
    v: FORMAT,
    h: compactHeaders(headers),
    b: body,
    t: times.now,
    f: seconds(times.ttl),
    w: seconds(times.staleWhileRevalidate),
    e: seconds(times.staleIfError),
    s: short ?? '',
    r: standard ?? '',
  };
}

function seconds(value: number): number {
  return value === Number.POSITIVE_INFINITY ? NEVER : value;
}

function until(start: number, window: number): number {
  return window === NEVER ? Number.POSITIVE_INFINITY : start + window * 1000;
}

/** Epoch ms until which the entry is fresh. */
export function freshUntil(entry: StoredEntry): number {
  return until(entry.t, entry.f);
}

/** Epoch ms until which the entry may be served stale while one refresh runs. */
export function refreshUntil(entry: StoredEntry): number {
  return until(freshUntil(entry), entry.w);
}

/** Epoch ms until which the entry may replace an error. */
export function errorUntil(entry: StoredEntry): number {
  return until(freshUntil(entry), entry.e);
}

/**
 * Reads a value from the store as an entry; anything else (a foreign value, another format, a
 * corrupt decode) is `undefined`, which the engine treats as a miss.
 */
export function readEntry(value: unknown): StoredEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Partial<StoredEntry>;
  if (
    e.v !== FORMAT ||
    typeof e.h !== 'object' ||
    e.h === null ||
    typeof e.t !== 'number' ||
    typeof e.f !== 'number' ||
    typeof e.w !== 'number' ||
    typeof e.e !== 'number' ||
    typeof e.s !== 'string' ||
    typeof e.r !== 'string'
  ) {
    return undefined;
  }
  if (Buffer.isBuffer(e.b)) return e as StoredEntry;
  // A serializing store may hand back a plain Uint8Array: view it as a Buffer, no copy.
  const bytes: unknown = e.b;
  if (bytes instanceof Uint8Array) {
    return {
      ...(e as StoredEntry),
      b: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    };
  }
  return undefined;
}

/**
 * What the base key of a request holds when the response varies by content coding: the entries
 * themselves then live under the base key plus the set of codings each client accepts (see
 * `codingVariant`). An unencoded response that does not vary by coding is stored under the base key
 * itself and serves every client, whatever its `Accept-Encoding`.
 */
export interface CodingMarker {
  readonly v: typeof FORMAT;
  /** Always 1: "look under the coding variant". */
  readonly c: 1;
}

/** The one marker value (a serializing store round-trips it as an equal plain object). */
export const CODING_MARKER: CodingMarker = Object.freeze({ v: FORMAT, c: 1 });

/** True for a value read from the store that is a {@link CodingMarker}. */
export function isCodingMarker(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<CodingMarker>).v === FORMAT &&
    (value as Partial<CodingMarker>).c === 1
  );
}

/** Seconds the store should keep the entry from `now`: fresh plus the longer stale window. */
export function storeTtl(entry: StoredEntry, now: number): number {
  const last = Math.max(refreshUntil(entry), errorUntil(entry));
  return last === Number.POSITIVE_INFINITY ? last : (last - now) / 1000;
}
