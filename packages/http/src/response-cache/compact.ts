// Entries live long and there may be a hundred thousand of them: each helper here trims what one
// entry costs beyond its body bytes, measured with heap snapshots (see the README's memory note).
import { formatHttpDate } from '../http-date.ts';
import type { OutgoingHeaders } from './types.ts';

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
export function compactValue(name: string, value: string): string {
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
export function httpDate(now: number): string {
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
export function compactBody(body: Buffer): Buffer {
  if (body.byteOffset === 0 && body.buffer.byteLength === body.byteLength) return body;
  const copy = Buffer.allocUnsafeSlow(body.byteLength);
  body.copy(copy);
  return copy;
}

/**
 * The same headers in an object V8 lays out most compactly: one built by `JSON.parse` keeps every
 * field inside the object, where one grown field by field keeps most of them in a separate
 * property array (about 35 bytes more per entry). The values are then put back as they are, so
 * interned strings stay shared.
 */
export function compactHeaders(headers: OutgoingHeaders): OutgoingHeaders {
  const names = Object.keys(headers);
  let text = '{';
  for (const name of names) text += `${text === '{' ? '' : ','}${JSON.stringify(name)}:null`;
  const out = JSON.parse(`${text}}`) as OutgoingHeaders;
  for (const name of names) out[name] = headers[name] as string | string[];
  return out;
}
