import { createHash, randomBytes } from 'node:crypto';
import { MAX_KEY_BYTES } from './binary-protocol.ts';

// Memcached can neither list keys nor delete by pattern, so `clear(prefix)` works by versioning:
// a shared log item records every cleared prefix, and each key folds into its memcached name the
// generation of the latest clear whose prefix it starts with. A clear makes a new generation, so
// the names of the cleared keys change and their old items are never read again (memcached's LRU
// reclaims them). The log opens with a random epoch; clearing everything, a log that grew past
// its bound, and a log memcached lost all start a new epoch, which renames every key.

const HEADER = 'LRDRCLR1 ';
/** The log is rewritten as a fresh epoch (clearing everything) before it grows past this. */
export const MAX_LOG_BYTES = 64 * 1024;

/** A parsed clear log: the epoch and, per cleared prefix, the position of its latest clear. */
export class ClearLog {
  readonly #latest = new Map<string, number>();
  /** The distinct prefix lengths, ascending: a key's generation needs one lookup per length. */
  readonly #lengths: number[] = [];

  private constructor(
    /** The bytes this state was read from; compared with the item on every operation. */
    readonly raw: Buffer,
    readonly epoch: string,
    prefixes: readonly string[],
  ) {
    prefixes.forEach((prefix, i) => {
      this.#latest.set(prefix, i + 1);
    });
    this.#lengths = [...new Set(prefixes.map((p) => p.length))].sort((a, b) => a - b);
  }

  /** A new, empty log with a random epoch. */
  static fresh(): ClearLog {
    const epoch = randomBytes(6).readUIntBE(0, 6).toString(36);
    return new ClearLog(Buffer.from(`${HEADER}${epoch}\n`, 'utf8'), epoch, []);
  }

  /** Parses a log item; `undefined` for anything not written by {@link fresh} and {@link line}. */
  static parse(raw: Buffer): ClearLog | undefined {
    const text = raw.toString('utf8');
    const lines = text.split('\n');
    const header = lines[0] ?? '';
    if (!header.startsWith(HEADER) || lines[lines.length - 1] !== '') return undefined;
    const epoch = header.slice(HEADER.length);
    if (!/^[0-9a-z]{1,12}$/.test(epoch)) return undefined;
    const prefixes: string[] = [];
    for (const line of lines.slice(1, -1)) {
      let prefix: unknown;
      try {
        prefix = JSON.parse(line);
      } catch {
        return undefined;
      }
      if (typeof prefix !== 'string') return undefined;
      prefixes.push(prefix);
    }
    return new ClearLog(raw, epoch, prefixes);
  }

  /** The bytes to append to record a clear of `prefix`. */
  static line(prefix: string): Buffer {
    return Buffer.from(`${JSON.stringify(prefix)}\n`, 'utf8');
  }

  /** True when `raw` is the item this state was parsed from (the log is append-only per epoch). */
  matches(raw: Buffer | undefined): boolean {
    return raw?.equals(this.raw) === true;
  }

  /** The generation of `key`: the epoch and the position of the latest clear covering it. */
  generation(key: string): string {
    let latest = 0;
    for (const length of this.#lengths) {
      if (length > key.length) break;
      const at = this.#latest.get(key.slice(0, length));
      if (at !== undefined && at > latest) latest = at;
    }
    return `${this.epoch}.${latest.toString(36)}`;
  }
}

/**
 * The memcached name of `key` under `prefix`: `prefix + tag + ':' + key` when that is printable
 * ASCII within memcached's 250 bytes, else `prefix + tag + '#' + sha256(key)` (base64url). The
 * separators differ, so a hashed name never equals a short key's; the entry itself records the
 * full key, so a read checks it and a collision is a miss.
 */
export function itemName(prefix: string, tag: string, key: string): string {
  const plain = `${prefix}${tag}:${key}`;
  if (plain.length <= MAX_KEY_BYTES && PRINTABLE.test(key)) return plain;
  return `${prefix}${tag}#${createHash('sha256').update(key, 'utf8').digest('base64url')}`;
}

// Memcached keys exclude spaces and control characters; non-ASCII is hashed too, so that the
// name's length in characters is its length in bytes.
const PRINTABLE = /^[\x21-\x7e]*$/;

/** True when `prefix` can open a memcached key: printable ASCII, at most 150 characters. */
export function isUsablePrefix(prefix: string): boolean {
  return PRINTABLE.test(prefix) && prefix.length <= 150;
}
