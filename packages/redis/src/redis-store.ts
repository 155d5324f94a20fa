import {
  createNearCache,
  encodeEntry,
  expiresAt,
  isExpiredTtl,
  type SharedStore,
  type Store,
  type StoreCapabilities,
} from '@larder/core';
import { createRedisBus } from './redis-bus.ts';
import { createCounter } from './redis-counter.ts';
import { takeLock } from './redis-lock.ts';
import { type RedisStoreOptions, resolveRedisOptions } from './redis-options.ts';
import { createRunner } from './redis-runner.ts';
import { asCounter, readValue } from './redis-value.ts';
import { scanClear } from './scan-clear.ts';
import { ADD, REPLACE_IF_SAME } from './scripts.ts';
import { groupBySlot } from './slots.ts';

/** The store {@link createRedisStore} returns: every optional method is present and resolves a promise. */
export interface RedisStore extends SharedStore {
  readonly name: 'redis';
  /**
   * With `nearCache`: true while invalidations are being received, the only time the in-process
   * tier answers reads. `undefined` without a near cache.
   */
  readonly connected?: boolean;
}

const CAPABILITIES: StoreCapabilities = { shared: true, atomic: true, serializes: true };
// Locks live beside the entries under the prefix; the NULs keep them apart from any ordinary key.
const LOCK = '\u0000lock\u0000';
// Past 2^53 ms (285 000 years) a PX argument loses precision: such an entry simply never expires.
const MAX_PX = Number.MAX_SAFE_INTEGER;

/**
 * Creates a {@link Store} on Redis through ioredis: standalone, Sentinel-backed or Cluster. Values
 * are binary frames of `@larder/core`'s codec (Buffers as raw bytes); counters are Redis integers,
 * so `increment` is one atomic INCRBY (a frame holding an integer is converted on first use).
 * Every command waits for a ready connection and runs through a per-command timeout and a circuit
 * breaker, so a dead, paused or full Redis costs a miss, never a hang.
 *
 * @param options - the client or URL, prefix, ttl, timeout, breaker and near cache; see {@link RedisStoreOptions}
 * @example
 * const store = createRedisStore({ client: new Redis(process.env.REDIS_URL), prefix: 'shop:' });
 * app.use(responseCache({ store, ttl: '5m' }));
 * const cache = createCache({ stores: { redis: store } });
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const resolved = resolveRedisOptions(options);
  const { prefix, now } = resolved;
  const runner = createRunner(resolved);
  const { call } = runner;
  const cluster = resolved.client?.isCluster === true;
  const full = (key: string) => prefix + key;
  const ttlOf = (ttl: number | undefined) => ttl ?? resolved.ttl;
  const encode = (key: string, value: unknown, ttl: number) =>
    encodeEntry({ key, expires: expiresAt(now(), ttl), value });
  /** GET as bytes; a key of another Redis type (a list, a hash) under the prefix reads as nothing. */
  const getRaw = (key: string) =>
    call((c) =>
      c.getBuffer(full(key)).catch((error: Error) => {
        if (error.message.startsWith('WRONGTYPE')) return null;
        throw error;
      }),
    );
  const count = createCounter({
    runner,
    full,
    px,
    ttlOf,
    now,
    getRaw,
    remove: (key) => store.delete(key),
  });

  const store: RedisStore = {
    name: 'redis',
    capabilities: CAPABILITIES,
    async get(key) {
      return readValue(key, await getRaw(key), now());
    },
    async set(key, value, ttl) {
      const seconds = ttlOf(ttl);
      if (value === undefined || isExpiredTtl(seconds)) {
        await store.delete(key);
        return;
      }
      const frame = encode(key, value, seconds);
      const expiry = px(seconds);
      await call((c) =>
        expiry === '' ? c.set(full(key), frame) : c.set(full(key), frame, 'PX', expiry),
      );
    },
    async delete(key) {
      return (await call((c) => c.del(full(key)))) > 0;
    },
    async has(key) {
      return (await store.get(key)) !== undefined;
    },
    async add(key, value, ttl) {
      const seconds = ttlOf(ttl);
      if (value === undefined || isExpiredTtl(seconds)) return false;
      const frame = encode(key, value, seconds);
      return (await call((c) => c.eval(ADD, 1, full(key), frame, now(), px(seconds)))) === 1;
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      const values = new Array<unknown>(keys.length).fill(undefined);
      const at = now();
      await Promise.all(
        groupBySlot(keys.map(full), cluster).map(async (group) => {
          const raws = await call((c) =>
            c.mgetBuffer(...group.map((i) => full(keys[i] as string))),
          );
          group.forEach((i, j) => {
            values[i] = readValue(keys[i] as string, raws[j], at);
          });
        }),
      );
      return values;
    },
    async setMany(entries, ttl) {
      const seconds = ttlOf(ttl);
      if (isExpiredTtl(seconds)) {
        await store.deleteMany(entries.map(([key]) => key));
        return;
      }
      if (entries.length === 0) return;
      const keys = entries.map(([key]) => full(key));
      const expiry = px(seconds);
      await Promise.all(
        groupBySlot(keys, cluster).map(async (group) => {
          const results = await call(async (c) => {
            const pipeline = c.pipeline();
            for (const i of group) {
              const [key, value] = entries[i] as readonly [string, unknown];
              if (value === undefined) pipeline.del(full(key));
              else if (expiry === '') pipeline.set(full(key), encode(key, value, seconds));
              else pipeline.set(full(key), encode(key, value, seconds), 'PX', expiry);
            }
            return pipeline.exec();
          });
          const failed = results?.find(([error]) => error !== null);
          if (failed) throw failed[0];
        }),
      );
    },
    async deleteMany(keys) {
      if (keys.length === 0) return 0;
      const counts = await Promise.all(
        groupBySlot(keys.map(full), cluster).map((group) =>
          call((c) => c.del(...group.map((i) => full(keys[i] as string)))),
        ),
      );
      return counts.reduce((sum, n) => sum + n, 0);
    },
    increment: (key, delta = 1, ttl) => count(key, delta, ttl),
    decrement: (key, delta = 1, ttl) => count(key, -delta, ttl),
    async clear(sub = '') {
      // Each SCAN and UNLINK step has its own timeout; the whole walk may take longer.
      const client = await runner.connection;
      await scanClear(client, prefix + sub, (command) => call(() => command()));
    },
    async touch(key, ttl) {
      const seconds = ttlOf(ttl);
      const raw = await getRaw(key);
      if (raw === null || readValue(key, raw, now()) === undefined) return false;
      if (isExpiredTtl(seconds)) return store.delete(key);
      if (asCounter(raw) !== undefined) {
        const expiry = px(seconds);
        if (expiry === '') await call((c) => c.persist(full(key)));
        else return (await call((c) => c.pexpire(full(key), expiry))) === 1;
        return true;
      }
      const value = readValue(key, raw, now());
      const frame = encode(key, value, seconds);
      const replaced = await call((c) =>
        c.eval(REPLACE_IF_SAME, 1, full(key), raw, frame, px(seconds)),
      );
      return replaced === 1;
    },
    lock: (key, ttl) => takeLock(runner, full(LOCK + key), px(ttl)),
    close: () => runner.close(),
  };
  if (resolved.nearCache === undefined) return store;
  const bus = createRedisBus(runner.connection, `${prefix}\u0000invalidate`, (command) =>
    call(() => command()),
  );
  return createNearCache(store, bus, resolved.nearCache) as unknown as RedisStore;
}

/** The PX argument of a ttl in seconds; `''` for none (Infinity, or past 2^53 ms). */
function px(ttl: number): string {
  const ms = Math.ceil(ttl * 1000);
  return ms > MAX_PX ? '' : String(Math.max(1, ms));
}
