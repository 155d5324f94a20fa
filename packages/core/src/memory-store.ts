import { LRUCache } from 'lru-cache';
import {
  checkCount,
  checkFunction,
  checkOptions,
  describeValue,
  optionNames,
} from './check-option.ts';
import { type Duration, parseOptionalDuration } from './duration.ts';
import { brandLocalRead, localRead } from './local-read.ts';
import { sizeOf as defaultSizeOf } from './size-of.ts';
import { type Clock, isExpiredTtl, type Store, type StoreCapabilities } from './store.ts';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most entries kept; the least recently used go first. `Infinity` lifts the bound (then
   * `maxBytes` must be finite). Slots are preallocated, so a huge finite value costs memory up front.
   * @default 10_000
   */
  readonly maxEntries?: number;
  /**
   * Most bytes kept, as measured by `sizeOf` (key included, 2 bytes per UTF-16 unit); the least
   * recently used go first. An entry larger than the whole budget is not stored. `Infinity` lifts it.
   * @default 67_108_864 (64 MiB)
   */
  readonly maxBytes?: number;
  /** Default TTL for entries set without one, in seconds or as a string (`'5m'`). @default Infinity (never) */
  readonly ttl?: Duration;
  /** Prepended to every key, so several stores can be told apart in stats and by `clear`. @default '' */
  readonly prefix?: string;
  /** The clock TTLs are measured with, in epoch ms; inject one in tests. @default performance.now-based */
  readonly now?: Clock;
  /**
   * Bytes a value counts against `maxBytes`; must return a non-negative finite number.
   * @default {@link sizeOf}: byteLength for bytes, 2 bytes per string unit, a bounded walk for objects
   */
  readonly sizeOf?: (value: unknown) => number;
}

/** A {@link Store} whose methods answer synchronously: values are plain return values, never promises. */
export interface MemoryStore extends Store {
  readonly name: 'memory';
  readonly capabilities: StoreCapabilities;
  get(key: string): unknown;
  set(key: string, value: unknown, ttl?: number): void;
  delete(key: string): boolean;
  has(key: string): boolean;
  add(key: string, value: unknown, ttl?: number): boolean;
  getMany(keys: readonly string[]): unknown[];
  setMany(entries: ReadonlyArray<readonly [string, unknown]>, ttl?: number): void;
  deleteMany(keys: readonly string[]): number;
  increment(key: string, delta?: number, ttl?: number): number;
  decrement(key: string, delta?: number, ttl?: number): number;
  clear(prefix?: string): void;
  touch(key: string, ttl?: number): boolean;
  /** Entries currently held, expired ones not yet evicted included. */
  readonly size: number;
  /** Bytes currently counted against `maxBytes` (0 when `maxBytes` is `Infinity`). */
  readonly bytes: number;
}

const FN = 'createMemoryStore';
const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const KNOWN = optionNames<MemoryStoreOptions>({
  maxEntries: true,
  maxBytes: true,
  ttl: true,
  prefix: true,
  now: true,
  sizeOf: true,
});

/**
 * Creates an in-process LRU store on lru-cache, bounded by entries and by bytes, that keeps values
 * by reference (no cloning) and answers synchronously. TTLs are timestamps checked on read; no
 * timer runs per key.
 *
 * @example const store = createMemoryStore({ maxEntries: 5000, maxBytes: 32 * 1024 * 1024, ttl: '10m' });
 */
export function createMemoryStore(given?: MemoryStoreOptions): MemoryStore {
  const options = checkOptions(given, KNOWN, FN);
  const maxEntries = checkCount(options.maxEntries, DEFAULT_MAX_ENTRIES, FN, 'maxEntries');
  const maxBytes = checkCount(options.maxBytes, DEFAULT_MAX_BYTES, FN, 'maxBytes');
  if (maxEntries === Number.POSITIVE_INFINITY && maxBytes === Number.POSITIVE_INFINITY) {
    throw new RangeError(
      `${FN}: options "maxEntries" and "maxBytes" cannot both be Infinity (the store would grow without bound)`,
    );
  }
  const ttl = parseOptionalDuration(options.ttl, FN, 'ttl');
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') {
    throw new TypeError(`${FN}: option "prefix" must be a string, got ${describeValue(prefix)}`);
  }
  const measure = checkFunction(options.sizeOf, FN, 'sizeOf') ?? defaultSizeOf;
  const now = checkFunction(options.now, FN, 'now');
  const defaultTtlMs = ttl === undefined || ttl === Number.POSITIVE_INFINITY ? 0 : ttl * 1000;

  const lru = new LRUCache<string, {}>({
    max: maxEntries === Number.POSITIVE_INFINITY ? 0 : maxEntries,
    ...(maxBytes === Number.POSITIVE_INFINITY
      ? {}
      : { maxSize: maxBytes, sizeCalculation: (value, key) => entrySize(value, key, measure) }),
    ...(defaultTtlMs > 0 ? { ttl: Math.max(1, Math.ceil(defaultTtlMs)) } : {}),
    // An injected clock is read on every check (ttlResolution 0) so a test that moves it sees the
    // move at once; lru-cache treats a start time of 0 as "no TTL", hence the offset from 1.
    ...(now === undefined ? {} : { perf: offsetClock(now), ttlResolution: 0 }),
  });

  // lru-cache cannot hold undefined (it means "miss"), so setting undefined deletes.
  const put = (key: string, value: unknown, seconds: number | undefined): void => {
    if (value === undefined || isExpiredTtl(seconds)) {
      lru.delete(key);
    } else if (seconds === undefined) {
      lru.set(key, value as {});
    } else {
      lru.set(key, value as {}, { ttl: seconds === Number.POSITIVE_INFINITY ? 0 : seconds * 1000 });
    }
  };

  const counter = (key: string, delta: number, seconds: number | undefined): number => {
    if (!Number.isSafeInteger(delta)) {
      throw new TypeError(
        `memory store: increment delta must be a safe integer, got ${describeValue(delta)}`,
      );
    }
    const k = prefix + key;
    const current = lru.get(k);
    if (current === undefined) {
      put(k, delta, seconds);
      return delta;
    }
    if (!Number.isSafeInteger(current)) {
      throw new TypeError(
        `memory store: cannot increment key ${JSON.stringify(key)}: its value is not an integer`,
      );
    }
    const next = (current as number) + delta;
    // Like Redis INCRBY, an existing counter keeps its expiry.
    lru.set(k, next, { noUpdateTTL: true });
    return next;
  };

  const get = (key: string): unknown => lru.get(prefix + key);
  const store: MemoryStore = {
    name: 'memory',
    capabilities: { retains: true, shared: false, atomic: true, serializes: false },
    get,
    set: (key, value, seconds) => put(prefix + key, value, seconds),
    delete: (key) => lru.delete(prefix + key),
    has: (key) => lru.has(prefix + key),
    add(key, value, seconds) {
      const k = prefix + key;
      if (value === undefined || lru.has(k)) return false;
      put(k, value, seconds);
      return true;
    },
    getMany: (keys) => keys.map((key) => lru.get(prefix + key)),
    setMany(entries, seconds) {
      for (const [key, value] of entries) put(prefix + key, value, seconds);
    },
    deleteMany(keys) {
      let removed = 0;
      for (const key of keys) if (lru.delete(prefix + key)) removed += 1;
      return removed;
    },
    increment: (key, delta = 1, seconds) => counter(key, delta, seconds),
    decrement: (key, delta = 1, seconds) => counter(key, -delta, seconds),
    clear(pattern) {
      if (pattern === undefined || pattern === '') return lru.clear();
      const start = prefix + pattern;
      // Collect first: deleting while iterating lru-cache's keys() would skip entries.
      const doomed: string[] = [];
      for (const k of lru.keys()) if (k.startsWith(start)) doomed.push(k);
      for (const k of doomed) lru.delete(k);
    },
    touch(key, seconds) {
      const k = prefix + key;
      const value = lru.get(k, { updateAgeOnGet: false });
      if (value === undefined) return false;
      put(k, value, seconds);
      return true;
    },
    get size() {
      return lru.size;
    },
    get bytes() {
      return lru.calculatedSize ?? 0;
    },
  };
  // The whole store lives in process memory: its read is local, and a local miss is a miss.
  brandLocalRead(store, get, true);
  return store;
}

/**
 * The synchronous, never-throwing `get` of a store made by {@link createMemoryStore}, or `undefined`
 * for any other object (see {@link localRead}, which also knows the near cache).
 *
 * @internal for `@larder/http`; not part of the public contract.
 */
export function genuineMemoryGet(store: object): ((key: string) => unknown) | undefined {
  const local = localRead(store);
  return local?.final === true ? local.read : undefined;
}

function entrySize(value: unknown, key: string, measure: (value: unknown) => number): number {
  const size = measure(value);
  if (!(size >= 0) || !Number.isFinite(size)) {
    throw new RangeError(
      `${FN}: option "sizeOf" must return a non-negative number, got ${describeValue(size)}`,
    );
  }
  // lru-cache wants a positive integer; an empty body still occupies a slot.
  return Math.max(1, Math.ceil(size + key.length * 2));
}

function offsetClock(now: Clock): { now(): number } {
  const origin = now();
  return { now: () => now() - origin + 1 };
}
