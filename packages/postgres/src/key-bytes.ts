// Keys are stored as bytea: Larder's response-cache keys contain NUL, which a PostgreSQL text
// column rejects, and bytes compare bytewise, so a key prefix is an index range.

/** The bytes a key is stored under: its UTF-8 form. */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'utf8');
}

/**
 * The first byte string after every string starting with `prefix` (the prefix with its last byte
 * below 0xff incremented and the rest dropped), or `null` when there is none (an empty prefix):
 * `key >= prefix AND key < upper` is then exactly "starts with prefix".
 */
export function prefixUpperBound(prefix: Buffer): Buffer | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i]!;
    if (byte < 0xff) {
      const upper = Buffer.from(prefix.subarray(0, i + 1));
      upper[i] = byte + 1;
      return upper;
    }
  }
  return null;
}

// 0xff never occurs in UTF-8, so a lock row can never collide with an entry, and no prefix a
// user can pass to clear() reaches it (only a full clear() removes locks too).
const LOCK_MARK = Buffer.from([0xff]);

/** The bytes of the row that holds the lock on `key`. */
export function lockKeyBytes(key: string): Buffer {
  return Buffer.concat([LOCK_MARK, keyBytes(key)]);
}
