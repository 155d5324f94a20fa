import { etagFromBody } from '../etag.ts';
import { formatHttpDate } from '../http-date.ts';
import { mergeVary } from '../vary.ts';
import type { CapturedResponse, OutgoingHeaders } from './types.ts';

/** The entry format's tag; an entry with any other tag (a foreign or older value) reads as a miss. */
const FORMAT = 1;
/** A window without end. Durations are kept as seconds (small integers cost V8 no heap box, epoch-ms doubles do). */
export const NEVER = -1;

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
}

// RFC 9110 §7.6.1 hop-by-hop and per-connection fields, and RFC 9111 §3.1's Proxy-* fields, are
// never stored. Content-Length is recomputed from the stored body; Age is generated on each reply
// (RFC 9111 §5.1).
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authentication-info',
  'proxy-authorization',
  'content-length',
  'age',
]);

/**
 * The response's headers as a reply may carry them: values as strings (repeated fields as lists),
 * hop-by-hop fields, the fields named by `Connection` and the `omit` list removed.
 */
export function outgoingHeaders(
  response: CapturedResponse,
  omit: readonly string[],
  statusHeader: string | undefined,
): OutgoingHeaders {
  const source = response.headers;
  const connection = source.connection;
  const listed =
    connection === undefined
      ? undefined
      : String(connection)
          .toLowerCase()
          .split(',')
          .map((f) => f.trim());
  const out: OutgoingHeaders = {};
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value === undefined || DROPPED.has(name) || name === statusHeader) continue;
    if (name.startsWith('proxy-') || listed?.includes(name) || omit.includes(name)) continue;
    out[name] =
      typeof value === 'string' ? value : typeof value === 'number' ? String(value) : [...value];
  }
  out['content-length'] = String(response.body.length);
  return out;
}

/** What {@link createEntry} needs besides the response. */
export interface EntryTimes {
  readonly now: number;
  /** Seconds fresh (`Infinity` for never), stale-while-revalidate and stale-if-error windows. */
  readonly ttl: number;
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
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
  if (typeof headers.date !== 'string') headers.date = httpDate(times.now);
  if (typeof headers['last-modified'] !== 'string') headers['last-modified'] = httpDate(times.now);
  if (vary.length > 0) headers.vary = mergeVary(headers.vary, ...vary);
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'string') headers[name] = compactValue(name, value);
  }
  return {
    v: FORMAT,
    h: headers,
    b: body,
    t: times.now,
    f: seconds(times.ttl),
    w: seconds(times.staleWhileRevalidate),
    e: seconds(times.staleIfError),
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

/** Fields whose values differ per response: kept flat, never interned. */
const UNIQUE_FIELDS = new Set([
  'etag',
  'date',
  'last-modified',
  'expires',
  'location',
  'content-location',
  'link',
  'content-disposition',
  'set-cookie',
]);
/** Most distinct header values interned; the table is dropped when full. */
const INTERN_LIMIT = 2000;
const interned = new Map<string, string>();

/**
 * A header value as an entry keeps it: values most responses share (Content-Type, Cache-Control,
 * Vary, Content-Length…) as one shared string instead of a copy per entry, the others flat.
 */
function compactValue(name: string, value: string): string {
  if (value === memoText) return value;
  if (UNIQUE_FIELDS.has(name) || value.length > 200) return flatString(value);
  const known = interned.get(value);
  if (known !== undefined) return known;
  const flat = flatString(value);
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(flat, flat);
  return flat;
}

/**
 * The same text as one flat string. V8 keeps a string built by concatenation (a cache key, an
 * ETag) as a tree of pieces, costing about 30 bytes per piece for as long as an entry lives; a
 * JSON round trip is the portable way to get a single flat copy. Short strings are never trees.
 */
export function flatString(text: string): string {
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

let memoSecond = Number.NaN;
let memoText = '';

/** The HTTP date of a time; entries stored within one second share one string instead of a copy each. */
function httpDate(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== memoSecond) {
    memoText = formatHttpDate(second * 1000);
    memoSecond = second;
  }
  return memoText;
}

/**
 * A body that does not pin a larger buffer: a slice of a pooled or concatenated buffer would keep
 * the whole backing store alive for as long as the entry lives.
 */
function compactBody(body: Buffer): Buffer {
  if (body.byteOffset === 0 && body.buffer.byteLength === body.byteLength) return body;
  const copy = Buffer.allocUnsafeSlow(body.byteLength);
  body.copy(copy);
  return copy;
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
    typeof e.e !== 'number'
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

/** Seconds the store should keep the entry from `now`: fresh plus the longer stale window. */
export function storeTtl(entry: StoredEntry, now: number): number {
  const last = Math.max(refreshUntil(entry), errorUntil(entry));
  return last === Number.POSITIVE_INFINITY ? last : (last - now) / 1000;
}
