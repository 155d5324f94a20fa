import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import {
  type CircuitBreaker,
  createCircuitBreaker,
  createNearCache,
  encodeEntry,
  expiresAt,
  isExpiredTtl,
  type Store,
  type StoreCapabilities,
  type StoreLock,
} from '@larder/core';
import type { Cluster, Redis } from 'ioredis';
import { createRedisBus } from './redis-bus.ts';
import { type RedisStoreOptions, resolveRedisOptions } from './redis-options.ts';
import { asCounter, readValue } from './redis-value.ts';
import { scanClear } from './scan-clear.ts';
import { ADD, INCREMENT, RELEASE, REPLACE_IF_SAME, REPLACE_WITH_COUNTER } from './scripts.ts';
import { groupBySlot } from './slots.ts';
import { whenReady } from './when-ready.ts';

/** The store {@link createRedisStore} returns: every optional method is present and resolves a promise. */
export interface RedisStore extends Store {
  readonly name: 'redis';
  readonly capabilities: StoreCapabilities;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  add(key: string, value: unknown, ttl?: number): Promise<boolean>;
  getMany(keys: readonly string[]): Promise<unknown[]>;
  setMany(entries: ReadonlyArray<readonly [string, unknown]>, ttl?: number): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<number>;
  increment(key: string, delta?: number, ttl?: number): Promise<number>;
  decrement(key: string, delta?: number, ttl?: number): Promise<number>;
  clear(prefix?: string): Promise<void>;
  touch(key: string, ttl?: number): Promise<boolean>;
  lock(key: string, ttl: number): Promise<StoreLock | undefined>;
  close(): Promise<void>;
  /**
   * With `nearCache`: true while invalidations are being received, the only time the in-process
   * tier answers reads. `undefined` without a near cache.
   */
  readonly connected?: boolean;
}

const FN = 'createRedisStore';
const CAPABILITIES: StoreCapabilities = { shared: true, atomic: true, serializes: true };
// Locks live beside the entries under the prefix; the NULs keep them apart from any ordinary key.
const LOCK = '\u0000lock\u0000';
// Past 2^53 ms (285 000 years) a PX argument loses precision: such an entry simply never expires.
const MAX_PX = Number.MAX_SAFE_INTEGER;

/**
 * Creates a {@link Store} on Redis through ioredis: standalone, Sentinel-backed or Cluster. Values
 * are binary frames of `@larder/core`'s codec (Buffers as raw bytes); counters are Redis integers,
 * so `increment` is one atomic INCRBY (a frame holding an integer is converted on first use). Every command runs through a per-command
 * timeout and a circuit breaker, so a dead, paused or full Redis costs a miss, never a hang.
 *
 * @example
 * const store = createRedisStore({ client: new Redis(process.env.REDIS_URL), prefix: 'shop:' });
 * const cache = createCache({ store });
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const resolved = resolveRedisOptions(options);
  const { prefix, now } = resolved;
  let breaker: CircuitBreaker;
  try {
    const { failures, probeAfter } = resolved.breaker;
    breaker = createCircuitBreaker({
      ...(failures === undefined ? {} : { failures }),
      ...(probeAfter === undefined ? {} : { probeAfter }),
      timeout: resolved.timeout,
    });
  } catch (error) {
    const message = (error as Error).message.replace('createCircuitBreaker:', `${FN}: "breaker"`);
    throw error instanceof RangeError ? new RangeError(message) : new TypeError(message);
  }
  const connection: Promise<Redis | Cluster> =
    resolved.client === undefined
      ? connect(resolved.url as string)
      : Promise.resolve(resolved.client);
  // Never an unhandled rejection: each command reports a failed connection itself.
  connection.catch(() => {});
  const cluster = resolved.client?.isCluster === true;
  // Waiting for the connection ends a little before the command's timeout, so that the error
  // says the connection is down rather than only that nothing answered.
  const connectWaitMs = resolved.timeout * 900;

  /** Runs one command on the client through the breaker (and so the timeout). */
  const call = <T>(command: (client: Redis | Cluster) => Promise<T>): Promise<T> =>
    breaker
      .run(() => connection.then((client) => whenReady(client, connectWaitMs)).then(command))
      .catch(explain);
  // A timeout or an open circuit alone does not say why: add the connection's state when it is
  // not ready ('connecting', 'reconnecting', 'end'), which is the usual reason.
  async function explain(error: unknown): Promise<never> {
    const client = resolved.client ?? (await connection.catch(() => undefined));
    const status = client?.status;
    if (status === undefined || status === 'ready' || !(error instanceof Error)) throw error;
    throw new Error(`${error.message} (Redis connection ${status})`, { cause: error });
  }
  const full = (key: string) => prefix + key;

  function encode(key: string, value: unknown, ttl: number): Buffer | string {
    return encodeEntry({ key, expires: expiresAt(now(), ttl), value });
  }
  function px(ttl: number): string {
    const ms = Math.ceil(ttl * 1000);
    return ms > MAX_PX ? '' : String(Math.max(1, ms));
  }
  const ttlOf = (ttl: number | undefined) => ttl ?? resolved.ttl;
  const setArgs = (key: string, value: unknown, ttl: number): [Buffer | string, ...string[]] => {
    const expiry = px(ttl);
    return expiry === '' ? [encode(key, value, ttl)] : [encode(key, value, ttl), 'PX', expiry];
  };

  async function counter(key: string, delta: number, ttl: number | undefined): Promise<number> {
    if (!Number.isSafeInteger(delta)) {
      throw new RangeError(
        `redis store: increment delta must be a safe integer, got ${inspect(delta)}`,
      );
    }
    const seconds = ttlOf(ttl);
    if (isExpiredTtl(seconds)) {
      await store.delete(key);
      return delta;
    }
    // A key holding a frame is the caller's business, not a sick Redis: it must not trip the breaker.
    let notInteger: unknown;
    const value = await call((c) =>
      c.eval(INCREMENT, 1, full(key), delta, px(seconds)).catch((error: Error) => {
        if (!/not an integer/.test(error.message)) throw error;
        notInteger = error;
        return undefined;
      }),
    );
    return notInteger === undefined
      ? Number(value)
      : convertAndCount(key, delta, seconds, notInteger);
  }

  /** GET as bytes; a key of another Redis type (a list, a hash) under the prefix reads as nothing. */
  const getRaw = (key: string) =>
    call((c) =>
      c.getBuffer(full(key)).catch((error: Error) => {
        if (error.message.startsWith('WRONGTYPE')) return null;
        throw error;
      }),
    );

  // The key holds a frame (`set(key, 5, ttl)` keeps its expiry that way): turn it into a Redis
  // integer, compare-and-set so a concurrent write is never lost, then count as usual.
  async function convertAndCount(
    key: string,
    delta: number,
    seconds: number,
    cause: unknown,
  ): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const raw = await getRaw(key);
      if (raw === null || asCounter(raw) !== undefined) return counter(key, delta, seconds);
      const value = readValue(key, raw, now());
      if (value !== undefined && !Number.isSafeInteger(value)) {
        throw new TypeError(
          `redis store: cannot increment ${inspect(key)}, it holds a non-integer`,
        );
      }
      // Unreadable or expired by our clock: a missing key counts as 0, with the counter's ttl.
      const next = value === undefined ? delta : (value as number) + delta;
      const expiry = value === undefined ? px(seconds) : '';
      const script = REPLACE_WITH_COUNTER;
      if ((await call((c) => c.eval(script, 1, full(key), raw, next, expiry))) === 1) return next;
    }
    throw cause;
  }

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
      await call((c) => c.set(full(key), ...(setArgs(key, value, seconds) as [string])));
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
      await Promise.all(
        groupBySlot(keys, cluster).map(async (group) => {
          const results = await call(async (c) => {
            const pipeline = c.pipeline();
            for (const i of group) {
              const [key, value] = entries[i] as readonly [string, unknown];
              if (value === undefined) pipeline.del(full(key));
              else pipeline.set(full(key), ...(setArgs(key, value, seconds) as [string]));
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
    increment: (key, delta = 1, ttl) => counter(key, delta, ttl),
    decrement: (key, delta = 1, ttl) => counter(key, -delta, ttl),
    async clear(sub = '') {
      // Each SCAN and UNLINK step has its own timeout; the whole walk may take longer.
      await scanClear(await connection, prefix + sub, (command) => breaker.run(command));
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
    async lock(key, ttl) {
      const lockKey = full(LOCK + key);
      const token = randomUUID();
      let taken: string | null;
      try {
        taken = await call((c) => c.set(lockKey, token, 'PX', px(ttl), 'NX'));
      } catch (error) {
        // A SET that timed out may still run: a release sent after it on the same connection runs
        // after it, so the lock never outlives a caller that gave up.
        connection
          .then((c) => (c.status === 'ready' ? c.eval(RELEASE, 1, lockKey, token) : undefined))
          .catch(() => {});
        throw error;
      }
      if (taken !== 'OK') return undefined;
      let released: Promise<void> | undefined;
      return {
        release() {
          released ??= call((c) => c.eval(RELEASE, 1, lockKey, token)).then(() => {});
          return released;
        },
      };
    },
    async close() {
      if (resolved.client !== undefined) return;
      const client = await connection;
      // QUIT lets replies in flight arrive, but would wait for ever on a connection that never
      // becomes ready (a wrong password): bounded by the timeout, then the socket is closed.
      if (client.status === 'ready') {
        await Promise.race([client.quit().catch(() => {}), delay(connectWaitMs)]);
      }
      client.disconnect();
    },
  };
  if (resolved.nearCache === undefined) return store;
  const bus = createRedisBus(connection, `${prefix}\u0000invalidate`, (command) =>
    breaker.run(command),
  );
  return createNearCache(store, bus, resolved.nearCache) as unknown as RedisStore;
}

async function connect(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url);
  // Failures reach callers through each command; an 'error' event without a listener would be
  // printed by ioredis, and its text can name the host.
  client.on('error', () => {});
  return client;
}
