import { createHash } from 'node:crypto';

// Keys are stored as bytea: Larder's response-cache keys contain NUL, which a PostgreSQL text
// column rejects, and bytes compare bytewise, so a key prefix is an index range.

/**
 * Longest key stored as itself, in UTF-8 bytes. A btree entry must fit in a third of a page
 * (2704 bytes, less once compressed data runs out), so longer keys are stored as their first
 * {@link KEPT_BYTES} bytes, a 0xfe marker and the SHA-256 of the whole key; the row's frame keeps
 * the whole key, which a read compares.
 */
export const MAX_KEY_BYTES = 2048;
/** Leading bytes of a long key kept as they are, so `clear(prefix)` still finds it by range. */
export const KEPT_BYTES = 1024;
// 0xfe and 0xff never occur in UTF-8: a marked key can never equal a plain one.
const LONG_MARK = 0xfe;

/** The bytes a key is stored under: its UTF-8 form, or the long-key form past {@link MAX_KEY_BYTES}. */
export function keyBytes(key: string): Buffer {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length <= MAX_KEY_BYTES) return bytes;
  const digest = createHash('sha256').update(bytes).digest();
  return Buffer.concat([bytes.subarray(0, KEPT_BYTES), Buffer.from([LONG_MARK]), digest]);
}

/** A `[lower, upper)` range of stored keys; `upper` is `null` for no bound. */
export type KeyRange = readonly [lower: Buffer, upper: Buffer | null];

/**
 * The ranges of stored keys that start with `prefix`. A prefix longer than {@link KEPT_BYTES} also
 * covers every long key that shares its first KEPT_BYTES bytes (the rest of such a key is only in
 * its digest): clearing removes those too, more than asked but never less.
 */
export function prefixRanges(prefix: string): KeyRange[] {
  const bytes = Buffer.from(prefix, 'utf8');
  const ranges: KeyRange[] = [[bytes, upperBound(bytes)]];
  if (bytes.length > KEPT_BYTES) {
    const long = Buffer.concat([bytes.subarray(0, KEPT_BYTES), Buffer.from([LONG_MARK])]);
    ranges.push([long, upperBound(long)]);
  }
  return ranges;
}

/**
 * The first byte string after every string starting with `prefix` (the prefix with its last byte
 * below 0xff incremented and the rest dropped), or `null` when there is none (an empty prefix):
 * `key >= prefix AND key < upper` is then exactly "starts with prefix".
 */
export function upperBound(prefix: Buffer): Buffer | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i] as number;
    if (byte < 0xff) {
      const upper = Buffer.from(prefix.subarray(0, i + 1));
      upper[i] = byte + 1;
      return upper;
    }
  }
  return null;
}

// A lock row starts with 0xff: it can never collide with an entry, and no prefix a user can pass
// to clear() reaches it (only a full clear() removes locks too).
const LOCK_MARK = Buffer.from([0xff]);

/** The bytes of the row that holds the lock on `key`. */
export function lockKeyBytes(key: string): Buffer {
  return Buffer.concat([LOCK_MARK, keyBytes(key)]);
}
