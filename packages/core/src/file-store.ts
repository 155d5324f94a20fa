import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkCount,
  checkFunction,
  checkOptions,
  describeValue,
  optionNames,
} from './check-option.ts';
import { type CodecEntry, decodeEntry, encodeEntry } from './codec.ts';
import { type Duration, parseOptionalDuration } from './duration.ts';
import { createEntryBound } from './file-bound.ts';
import { entryNames, inBatches, isMissing, peekKey, removeQuietly } from './file-entries.ts';
import { createKeyQueue } from './key-queue.ts';
import { createLimit } from './limit.ts';
import { type Clock, type CompleteStore, expiresAt } from './store.ts';

/** The store {@link createFileStore} returns: every optional method is present and resolves a promise. */
export interface FileStore extends CompleteStore {
  readonly name: 'file';
}

/** Options of {@link createFileStore}. */
export interface FileStoreOptions {
  /** Directory holding one file per entry; created (mode 0o700) on first write. Required. */
  readonly dir: string;
  /**
   * Most entries kept, a hard bound once writes settle, even with many writers in several
   * processes on one directory. Past it, the oldest files (by write time) are removed down to 90 %
   * of `maxEntries` (exactly `maxEntries` below 10), so the directory scan runs about once per
   * tenth of capacity. Each write appends one byte to a `.larder-writes` journal in the directory
   * (restarted past 1 MiB) so that processes learn of each other's writes. `Infinity` turns pruning off.
   * @default 10_000
   */
  readonly maxEntries?: number;
  /** Default TTL for entries set without one, in seconds or as a string (`'1h'`). @default Infinity (never) */
  readonly ttl?: Duration;
  /** Permission bits of entry files (the process umask applies, as with open(2)). @default 0o600 */
  readonly mode?: number;
  /** The clock expiry and write times are read from, in epoch ms; inject one in tests. @default Date.now */
  readonly now?: Clock;
  /**
   * How long a temp file must have gone unchanged (by the wall clock, ctime) before a directory
   * scan removes it as left by a writer killed mid-write; a live writer's temp file is younger.
   * Scans run on the first write and whenever pruning runs.
   * @default 60 (seconds)
   */
  readonly orphanAge?: Duration;
}

const KNOWN = optionNames<FileStoreOptions>({
  dir: true,
  maxEntries: true,
  ttl: true,
  mode: true,
  now: true,
  orphanAge: true,
});

const FN = 'createFileStore';
const BAD = Symbol('bad');
/** Files one store holds open at once, far below common open-file limits (256 and up). */
const OPEN_FILES = 64;

/**
 * Creates a store that keeps one file per entry under `dir`: file names are the SHA-256 of the
 * key (no key can escape the directory), each write goes to a temp file in the same directory
 * and is renamed over the old one (readers never see a torn entry), and a corrupt, truncated or
 * foreign file reads as a miss and is removed. Values are framed by the codec (binary-safe).
 * `add`, `increment` and `touch` are atomic within one process, not across processes.
 *
 * @example const store = createFileStore({ dir: '/var/cache/my-app', maxEntries: 50_000, ttl: '1d' });
 */
export function createFileStore(given: FileStoreOptions): FileStore {
  const options = checkOptions(given, KNOWN, FN);
  const { dir } = options;
  if (typeof dir !== 'string' || dir === '') {
    throw new TypeError(
      `${FN}: option "dir" must be a non-empty string, got ${describeValue(dir)}`,
    );
  }
  const maxEntries = checkCount(options.maxEntries, 10_000, FN, 'maxEntries');
  const defaultTtl = parseOptionalDuration(options.ttl, FN, 'ttl');
  const mode = options.mode ?? 0o600;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new RangeError(
      `${FN}: option "mode" must be an integer from 0 to 0o777, got ${describeValue(mode)}`,
    );
  }
  const now = checkFunction(options.now, FN, 'now') ?? Date.now;
  const orphanAge = parseOptionalDuration(options.orphanAge, FN, 'orphanAge') ?? 60;

  const exclusive = createKeyQueue();
  const withFile = createLimit(OPEN_FILES);
  const instance = randomBytes(6).toString('hex');
  let sequence = 0;
  const bound = createEntryBound({ dir, maxEntries, orphanMs: orphanAge * 1000, mode, withFile });

  const hashOf = (key: string) => createHash('sha256').update(key).digest('hex');
  const pathOf = (key: string) => join(dir, hashOf(key));

  async function read(key: string): Promise<CodecEntry | undefined | typeof BAD> {
    let bytes: Buffer;
    try {
      bytes = await withFile(() => readFile(pathOf(key)));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const entry = decodeEntry(bytes);
    if (entry === undefined || entry.key !== key || entry.expires <= now()) return BAD;
    return entry;
  }

  // `locked` callers already hold the key; others take it to re-check before removing, so a
  // fresh entry written meanwhile in this process is never removed by mistake.
  async function load(key: string, locked: boolean): Promise<CodecEntry | undefined> {
    const entry = await read(key);
    if (entry !== BAD) return entry;
    if (locked) await removeQuietly(pathOf(key));
    else
      await exclusive(key, async () => {
        if ((await read(key)) === BAD) await removeQuietly(pathOf(key));
      });
    return undefined;
  }

  async function write(key: string, value: unknown, expires: number): Promise<void> {
    const file = pathOf(key);
    if (value === undefined || !(expires > now())) {
      await removeQuietly(file);
      return;
    }
    const frame = encodeEntry({ key, expires, value });
    const temp = `${file}.${instance}.${sequence++}.tmp`;
    try {
      await withFile(async () => {
        const handle = await openTemp(temp);
        try {
          await handle.writeFile(frame);
          // The write time orders pruning; taking it from the store's clock keeps tests exact.
          const seconds = now() / 1000;
          await handle.utimes(seconds, seconds);
        } finally {
          await handle.close();
        }
      });
      await rename(temp, file);
    } catch (error) {
      await removeQuietly(temp);
      throw error;
    }
    await bound.afterWrite();
  }

  // The directory is made on the first write, and again if someone removed it meanwhile.
  async function openTemp(temp: string) {
    try {
      return await open(temp, 'wx', mode);
    } catch (error) {
      if (!isMissing(error)) throw error;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return open(temp, 'wx', mode);
    }
  }

  const ttlExpiry = (seconds: number | undefined) => expiresAt(now(), seconds ?? defaultTtl);

  const store: FileStore = {
    name: 'file',
    capabilities: { retains: true, shared: true, atomic: false, serializes: true },
    get: async (key) => (await load(key, false))?.value,
    set: (key, value, seconds) => exclusive(key, () => write(key, value, ttlExpiry(seconds))),
    delete: (key) => exclusive(key, () => removeQuietly(pathOf(key))),
    has: async (key) => (await load(key, false)) !== undefined,
    add: (key, value, seconds) =>
      exclusive(key, async () => {
        if (value === undefined || (await load(key, true)) !== undefined) return false;
        await write(key, value, ttlExpiry(seconds));
        return true;
      }),
    getMany: (keys) => Promise.all(keys.map((key) => store.get(key))),
    async setMany(entries, seconds) {
      await Promise.all(entries.map(([key, value]) => store.set(key, value, seconds)));
    },
    async deleteMany(keys) {
      const removed = await Promise.all(keys.map((key) => store.delete(key)));
      return removed.filter(Boolean).length;
    },
    increment: (key, delta = 1, seconds) => counter(key, delta, seconds),
    decrement: (key, delta = 1, seconds) => counter(key, -delta, seconds),
    async clear(prefix) {
      await inBatches(await entryNames(dir), async (name) => {
        const file = join(dir, name);
        const key = prefix === undefined || prefix === '' ? '' : await peekKey(file);
        // A file whose key cannot be read is corrupt or foreign: a miss anyway, so it goes too.
        if (key === undefined || key?.startsWith(prefix ?? '')) await removeQuietly(file);
      });
      bound.forget();
    },
    touch: (key, seconds) =>
      exclusive(key, async () => {
        const entry = await load(key, true);
        if (entry === undefined) return false;
        await write(key, entry.value, ttlExpiry(seconds));
        return true;
      }),
  };

  function counter(key: string, delta: number, seconds: number | undefined): Promise<number> {
    return exclusive(key, async () => {
      if (!Number.isSafeInteger(delta)) {
        throw new TypeError(
          `file store: increment delta must be a safe integer, got ${describeValue(delta)}`,
        );
      }
      const entry = await load(key, true);
      if (entry === undefined) {
        await write(key, delta, ttlExpiry(seconds));
        return delta;
      }
      if (!Number.isSafeInteger(entry.value)) {
        throw new TypeError(
          `file store: cannot increment key ${JSON.stringify(key)}: its value is not an integer`,
        );
      }
      const next = (entry.value as number) + delta;
      await write(key, next, entry.expires); // an existing counter keeps its expiry
      return next;
    });
  }

  return store;
}
