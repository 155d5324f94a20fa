/**
 * Entity tags (RFC 9110 §8.8.3): made from a body (the `etag` package) or from a version key,
 * compared strongly or weakly, and read from `If-None-Match` lists.
 */
import { createHash } from 'node:crypto';
import etag from 'etag';
import { headerText } from './header-syntax.ts';
import type { HeaderValue } from './response-cache/types.ts';

/** Options of {@link etagFromBody} and {@link etagFromKey}. */
export interface ETagOptions {
  /** Make a weak validator (`W/"…"`, RFC 9110 §8.8.1). @default false */
  weak?: boolean | undefined;
}

/** RFC 9110 §8.8.3: `entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE`. */
const ENTITY_TAG = /^(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;
/** Keys short and plain enough to be an opaque-tag as they are (no `"`, no `\`). */
const READABLE_KEY = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

/**
 * Makes an ETag from a response body: its length and SHA-1 digest (the `etag` package).
 *
 * @example etagFromBody('hello') // '"5-qvTGHdzF6KLavt4PO0gs2a6pQ00"'
 */
export function etagFromBody(body: string | Buffer, options: ETagOptions = {}): string {
  return etag(body, { weak: options.weak === true });
}

/**
 * Makes an ETag from a version key (a row's version, a content hash, an updated-at time): the key
 * itself when it is short and made of characters an entity-tag allows, else a `~`-prefixed
 * SHA-1 of it, so any key yields a valid, deterministic tag.
 *
 * @param caller - the public function named in error messages
 * @throws TypeError when the key is not a non-empty string or a finite number
 * @example etagFromKey(42) // '"42"'; etagFromKey('v7', { weak: true }) // 'W/"v7"'
 */
export function etagFromKey(
  key: string | number,
  options: ETagOptions = {},
  caller = 'etagFromKey',
): string {
  if (!((typeof key === 'string' && key.length > 0) || Number.isFinite(key))) {
    throw new TypeError(
      `${caller}: key must be a non-empty string or a finite number, got ${typeof key === 'string' ? '""' : String(key)}`,
    );
  }
  const text = String(key);
  const opaque = READABLE_KEY.test(text)
    ? text
    : `~${createHash('sha1').update(text).digest('base64url')}`;
  return options.weak === true ? `W/"${opaque}"` : `"${opaque}"`;
}

/** True when `value` is a syntactically valid entity-tag. */
export function isETag(value: string): boolean {
  return ENTITY_TAG.test(value);
}

/**
 * Strong comparison (RFC 9110 §8.8.3.2): both tags strong and identical. Invalid tags never match.
 *
 * @example strongCompare('"1"', '"1"') // true; strongCompare('W/"1"', '"1"') // false
 */
export function strongCompare(a: string, b: string): boolean {
  return isETag(a) && isETag(b) && !a.startsWith('W/') && a === b;
}

/**
 * Weak comparison (RFC 9110 §8.8.3.2): the opaque tags are identical, either side may be weak.
 * Invalid tags never match.
 *
 * @example weakCompare('W/"1"', '"1"') // true
 */
export function weakCompare(a: string, b: string): boolean {
  return isETag(a) && isETag(b) && opaque(a) === opaque(b);
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/**
 * Reads an `If-None-Match` / `If-Match` value: `'*'`, or the valid entity-tags it lists, in order.
 * Commas inside a quoted tag do not split it; malformed members are skipped; never throws.
 *
 * @example parseETagList(' "a,b" , W/"c",,junk') // ['"a,b"', 'W/"c"']
 */
export function parseETagList(value: HeaderValue | undefined): string[] | '*' {
  const text = headerText(value);
  if (text === undefined) return [];
  if (text.trim() === '*') return '*';
  const tags: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === ',') {
      i++;
      continue;
    }
    const start = i;
    if (text.startsWith('W/', i)) i += 2;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close !== -1) {
        let next = close + 1;
        while (next < n && (text[next] === ' ' || text[next] === '\t')) next++;
        if (next === n || text[next] === ',') {
          const tag = text.slice(start, close + 1);
          if (isETag(tag)) tags.push(tag);
          i = next;
          continue;
        }
      }
    }
    // Not an entity-tag: skip this member.
    const comma = text.indexOf(',', i);
    i = comma === -1 ? n : comma + 1;
  }
  return tags;
}

/**
 * The strong ETag of one content coding of a representation whose ETag is `tag`: `"abc"` becomes
 * `"abc-gzip"` for gzip (RFC 9110 §8.8.3: a strong validator differs per representation, and a
 * gzip body is another representation than the identity one). A weak tag, an invalid one, no
 * coding (`identity`) or a tag already marked for the coding is returned as it is.
 *
 * @example etagForCoding('"5-abc"', 'gzip') // '"5-abc-gzip"'
 */
export function etagForCoding(tag: string, coding: string | undefined): string {
  if (coding === undefined || tag.startsWith('W/') || !isETag(tag)) return tag;
  const name = coding.trim().toLowerCase();
  if (name === '' || name === 'identity' || !/^[a-z0-9._-]+$/.test(name)) return tag;
  const suffix = `-${name}"`;
  return tag.endsWith(suffix) ? tag : `${tag.slice(0, -1)}${suffix}`;
}
