import {
  checkCount,
  checkFunction,
  checkOptions,
  describeValue,
  optionNames,
} from './check-option.ts';
import { type Duration, parseDuration } from './duration.ts';
import { brandLocalRead } from './local-read.ts';
import { createMemoryStore } from './memory-store.ts';
import type { Awaitable, Clock, Store, StoreLock } from './store.ts';

/** What changed in a shared store: these keys, or every key starting with `prefix`. */
export type Invalidation = { readonly keys: readonly string[] } | { readonly prefix: string };

/** Listeners a near cache hands to {@link InvalidationBus.subscribe}. */
export interface InvalidationListener {
  /** An invalidation published by any process (this one included). */
  onMessage(message: Invalidation): void;
  /** `true` once messages are being received, `false` as soon as some may be missed. */
  onStatus(connected: boolean): void;
}

/**
 * Carries invalidations between the processes sharing a store (Redis pub/sub, PostgreSQL
 * LISTEN/NOTIFY). A bus must report `onStatus(false)` whenever it may miss a message, and
 * `onStatus(true)` only once it is listening again.
 */
export interface InvalidationBus {
  /** Sends `message` to every subscriber; resolves once the backend has accepted it. */
  publish(message: Invalidation): Promise<void>;
  /** Starts listening; resolves a function that stops listening. */
  subscribe(listener: InvalidationListener): Awaitable<() => Awaitable<void>>;
}

/** Options of {@link createNearCache}. */
export interface NearCacheOptions {
  /** Most entries kept in process. @default 1000 */
  readonly maxEntries?: number;
  /** Most bytes kept in process (see the memory store's `sizeOf`). @default 16 MiB */
  readonly maxBytes?: number;
  /**
   * Longest an entry is served from process memory. It bounds staleness when an invalidation is
   * lost before the bus notices it is cut off. @default 5 (seconds)
   */
  readonly ttl?: Duration;
  /** The clock, epoch ms; inject one in tests. @default the memory store's */
  readonly now?: Clock;
}

/** A shared store behind an in-process tier; `connected` says whether the tier is in use. */
export interface NearCache extends Store {
  /** True while the bus is listening: only then are reads answered from process memory. */
  readonly connected: boolean;
}

const FN = 'createNearCache';
const KNOWN = optionNames<NearCacheOptions>({
  maxEntries: true,
  maxBytes: true,
  ttl: true,
  now: true,
});

/**
 * Puts a small in-process memory tier in front of a shared `store`. Every write, delete and clear
 * made through it publishes an invalidation on `bus`, and every process drops the entries named.
 * While the bus is not listening, the tier is bypassed and emptied, so a lost message cannot leave
 * an old value being served. Reads fill the tier only when no invalidation of that key arrived
 * while the read was out.
 *
 * @example const store = createNearCache(redisStore, redisBus, { maxEntries: 500, ttl: '2s' });
 */
export function createNearCache(
  store: Store,
  bus: InvalidationBus,
  given?: NearCacheOptions,
): NearCache {
  const options = checkOptions(given, KNOWN, FN);
  const maxEntries = checkCount(options.maxEntries, 1000, FN, 'maxEntries');
  const maxBytes = checkCount(options.maxBytes, 16 * 1024 * 1024, FN, 'maxBytes');
  const ttl = parseDuration(options.ttl ?? 5, FN, 'ttl');
  // The tier's ttl is the staleness bound when a message is lost: it must be finite.
  if (!(ttl > 0 && ttl < Number.POSITIVE_INFINITY)) {
    throw new RangeError(
      `${FN}: option "ttl" must be above 0 and finite, got ${describeValue(options.ttl)}`,
    );
  }
  const now = checkFunction(options.now, FN, 'now');
  const local = createMemoryStore({ maxEntries, maxBytes, ttl, ...(now ? { now } : {}) });
  // Reads in flight, by key: an invalidation removes the token, and the read then keeps its value
  // out of the tier (it may have been read before the write it races with).
  const fills = new Map<string, object>();
  let connected = false;

  const drop = (message: Invalidation): void => {
    if ('prefix' in message) {
      local.clear(message.prefix);
      for (const key of fills.keys()) if (key.startsWith(message.prefix)) fills.delete(key);
    } else {
      for (const key of message.keys) {
        local.delete(key);
        fills.delete(key);
      }
    }
  };
  const subscription = Promise.resolve(
    bus.subscribe({
      onMessage: drop,
      onStatus(up) {
        connected = up;
        local.clear();
        fills.clear();
      },
    }),
  );
  // An unhandled rejection here would crash the process; the tier just stays bypassed.
  subscription.catch(() => {});

  /** Reads `keys` from the shared store and keeps each value unless it was invalidated meanwhile. */
  async function fill(keys: readonly string[]): Promise<unknown[]> {
    const tokens = keys.map((key) => {
      const token = {};
      fills.set(key, token);
      return token;
    });
    try {
      const values =
        keys.length === 1 || store.getMany === undefined
          ? await Promise.all(keys.map((key) => store.get(key)))
          : await store.getMany(keys);
      keys.forEach((key, i) => {
        const value = values[i];
        if (connected && value !== undefined && fills.get(key) === tokens[i]) local.set(key, value);
      });
      return values;
    } finally {
      keys.forEach((key, i) => {
        if (fills.get(key) === tokens[i]) fills.delete(key);
      });
    }
  }

  async function publish<T>(result: Awaitable<T>, message: Invalidation): Promise<T> {
    try {
      return await result;
    } finally {
      drop(message);
      await bus.publish(message);
    }
  }

  const near: NearCache = {
    name: store.name ?? 'near',
    capabilities: store.capabilities ?? {},
    get connected() {
      return connected;
    },
    get(key) {
      if (connected) {
        const value = local.get(key);
        if (value !== undefined) return value;
      }
      return fill([key]).then((values) => values[0]);
    },
    set: (key, value, ttl) => publish(store.set(key, value, ttl), { keys: [key] }),
    delete: (key) => publish(store.delete(key), { keys: [key] }),
    async has(key) {
      return (await near.get(key)) !== undefined;
    },
    async getMany(keys) {
      const values = keys.map((key) => (connected ? local.get(key) : undefined));
      const missing = values.flatMap((value, i) => (value === undefined ? [i] : []));
      if (missing.length === 0) return values;
      const read = await fill(missing.map((i) => keys[i] as string));
      missing.forEach((index, j) => {
        values[index] = read[j];
      });
      return values;
    },
    close: async () => {
      await (await subscription)();
      await store.close?.();
    },
  };
  const keysOf = (entries: ReadonlyArray<readonly [string, unknown]>) => entries.map(([k]) => k);
  // Optional methods exist on the near cache exactly when the shared store has them.
  const optional: { [K in keyof Store]?: Store[K] | undefined } = {
    add: store.add && ((key, value, ttl) => publish(store.add!(key, value, ttl), { keys: [key] })),
    setMany:
      store.setMany &&
      ((entries, ttl) => publish(store.setMany!(entries, ttl), { keys: keysOf(entries) })),
    deleteMany: store.deleteMany && ((keys) => publish(store.deleteMany!(keys), { keys })),
    increment:
      store.increment &&
      ((key, delta, ttl) => publish(store.increment!(key, delta, ttl), { keys: [key] })),
    decrement:
      store.decrement &&
      ((key, delta, ttl) => publish(store.decrement!(key, delta, ttl), { keys: [key] })),
    clear: store.clear && ((prefix) => publish(store.clear!(prefix), { prefix: prefix ?? '' })),
    touch: store.touch && ((key, ttl) => publish(store.touch!(key, ttl), { keys: [key] })),
    lock: store.lock && ((key, ttl): Awaitable<StoreLock | undefined> => store.lock!(key, ttl)),
  };
  for (const [name, method] of Object.entries(optional)) {
    if (method !== undefined) Object.assign(near, { [name]: method });
  }
  // A hit in the tier is read synchronously by callers that know the brand (the response cache);
  // a local miss, or a tier out of use, still goes to the shared store.
  brandLocalRead(near, (key) => (connected ? local.get(key) : undefined), false);
  return near;
}
