import { randomBytes } from 'node:crypto';
import {
  createCircuitBreaker,
  createNearCache,
  decodeEntry,
  encodeEntry,
  isExpiredTtl,
  RESERVED_SEGMENT,
  type SharedStore,
} from '@larder/core';
import { createPool } from './create-pool.ts';
import { keyBytes, lockKeyBytes, prefixRanges } from './key-bytes.ts';
import { createPostgresBus, type OpenListener } from './postgres-bus.ts';
import type { ConnectingClient, PostgresClient, PostgresResult } from './postgres-client.ts';
import { type PostgresStoreOptions, resolveOptions } from './postgres-options.ts';
import { createSchema, quoteTable, schemaSql } from './schema.ts';
import { type Statement, statements } from './statements.ts';
import { createSweeper, SWEEP_BATCH, type SweepResult } from './sweeper.ts';

/** The store {@link createPostgresStore} returns: every optional method is present and resolves a promise. */
export interface PostgresStore extends SharedStore {
  readonly name: 'postgres';
  /** Deletes expired rows now (and evicts past `maxEntries`); resolves what it removed. */
  sweep(): Promise<SweepResult>;
  /** The DDL of this store's table, as `createTable` would run it. */
  readonly schema: string;
  /** Stops the sweeper; ends the pool only if the store created it from `connectionString`. */
  close(): Promise<void>;
}

const STAMP_MARK = Buffer.from(RESERVED_SEGMENT, 'utf8');

/**
 * Creates a store keeping one row per key in a PostgreSQL table: bytea keys (NUL-safe; a key
 * prefix is an index range), values framed by the core codec (a corrupt or foreign row reads as a
 * miss), integers in a bigint column so `increment` is one atomic statement. Every operation is a
 * single statement bounded by `timeout`; expired rows are removed by a background sweeper, never
 * by reads. Shared across processes; `add`, `increment` and `lock` are atomic across them.
 *
 * @example const store = createPostgresStore({ client: new pg.Pool(), table: 'http_cache', maxEntries: 100_000 });
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const config = resolveOptions(options);
  const { now } = config;
  const table = quoteTable(config.table);
  const sql = statements(table);
  const ddl = schemaSql(
    config.table,
    config.unlogged,
    config.maxEntries !== Number.POSITIVE_INFINITY,
  );
  const owned =
    config.client === undefined ? createPool(config.connectionString as string, config) : undefined;
  const client: PostgresClient = config.client ?? (owned as PostgresClient);
  const breaker = createCircuitBreaker({ ...config.breaker, timeout: config.timeoutMs / 1000 });
  let schemaReady: Promise<void> | undefined;
  let closed = false;

  function ready(): Promise<void> | undefined {
    if (!config.createTable) return undefined;
    schemaReady ??= createSchema(client, ddl).catch((error: unknown) => {
      schemaReady = undefined; // retried by the next operation, e.g. once the server is back
      throw error;
    });
    return schemaReady;
  }

  // One statement, after the schema exists, through the breaker: bounded by the timeout whatever
  // the pool does, and failing fast while the server is known to be down.
  function query({ name, text }: Statement, values: unknown[]): Promise<PostgresResult> {
    if (closed) return Promise.reject(new Error('postgres store: closed'));
    return breaker.run(() => {
      const pending = ready();
      return pending === undefined
        ? client.query({ name, text, values })
        : pending.then(() => client.query({ name, text, values }));
    });
  }

  const sweeper = createSweeper({
    query,
    sql,
    maxEntries: config.maxEntries,
    intervalMs: config.sweepIntervalMs,
    now,
    stampMark: STAMP_MARK,
    onError: config.onError,
  });

  const expiryOf = (ttl: number | undefined): number | null => {
    const seconds = ttl ?? config.ttl;
    if (seconds === undefined || seconds === Number.POSITIVE_INFINITY) return null;
    const at = Math.ceil(now() + seconds * 1000);
    return at > Number.MAX_SAFE_INTEGER ? null : at;
  };

  // Safe integers go to the counter column (so increment can add to them in SQL); -0 would come
  // back as 0, so it is framed like every other value.
  function columns(
    key: string,
    value: unknown,
    expires: number | null,
  ): [Buffer | null, number | null] {
    if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0))
      return [null, value];
    return [encodeEntry({ key, expires: expires ?? Number.POSITIVE_INFINITY, value }), null];
  }

  function decodeRow(key: string, row: Record<string, unknown> | undefined): unknown {
    if (row === undefined) return undefined;
    const { value, counter } = row;
    if (value === null) return counter === null ? undefined : Number(counter);
    if (!(value instanceof Uint8Array)) return undefined;
    const entry = decodeEntry(value);
    return entry === undefined || entry.key !== key ? undefined : entry.value;
  }

  async function write(key: string, value: unknown, ttl: number | undefined): Promise<void> {
    if (value === undefined || isExpiredTtl(ttl ?? config.ttl)) {
      await query(sql.delete, [keyBytes(key), now()]);
      return;
    }
    const expires = expiryOf(ttl);
    const [bytes, counter] = columns(key, value, expires);
    await query(sql.set, [keyBytes(key), bytes, counter, expires, now()]);
    sweeper.noteWrite();
  }

  async function counter(key: string, delta: number, ttl: number | undefined): Promise<number> {
    if (!Number.isSafeInteger(delta)) {
      throw new TypeError(`postgres store: increment delta must be a safe integer, got ${delta}`);
    }
    const { rows } = await query(sql.increment, [keyBytes(key), delta, expiryOf(ttl), now()]);
    if (rows.length === 0) {
      throw new TypeError(
        `postgres store: cannot increment key ${JSON.stringify(key)}: its value is not an integer`,
      );
    }
    sweeper.noteWrite();
    const next = Number(rows[0]?.counter);
    if (!Number.isSafeInteger(next)) {
      throw new RangeError(
        `postgres store: counter ${JSON.stringify(key)} left the safe integer range`,
      );
    }
    return next;
  }

  const store: PostgresStore = {
    name: 'postgres',
    capabilities: { retains: true, shared: true, atomic: true, serializes: true },
    schema: ddl,
    async get(key) {
      const { rows } = await query(sql.get, [keyBytes(key), now()]);
      return decodeRow(key, rows[0]);
    },
    set: write,
    async delete(key) {
      const { rows } = await query(sql.delete, [keyBytes(key), now()]);
      return rows.some((row) => row.live === true);
    },
    has: async (key) => (await store.get(key)) !== undefined,
    async add(key, value, ttl) {
      if (value === undefined) return false;
      if (isExpiredTtl(ttl ?? config.ttl)) return false;
      const expires = expiryOf(ttl);
      const [bytes, count] = columns(key, value, expires);
      const { rowCount } = await query(sql.add, [keyBytes(key), bytes, count, expires, now()]);
      if (rowCount !== 1) return false;
      sweeper.noteWrite();
      return true;
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      const { rows } = await query(sql.getMany, [keys.map(keyBytes), now()]);
      const byKey = new Map<string, Record<string, unknown>>();
      for (const row of rows) byKey.set((row.key as Buffer).toString('hex'), row);
      return keys.map((key) => decodeRow(key, byKey.get(keyBytes(key).toString('hex'))));
    },
    async setMany(entries, ttl) {
      // One upsert may not touch a row twice: the last value given for a key wins, as with set.
      const last = new Map<string, unknown>();
      for (const [key, value] of entries) last.set(key, value);
      const kept = [...last].filter(([, value]) => value !== undefined);
      const dropped = [...last].filter(([, value]) => value === undefined).map(([key]) => key);
      if (isExpiredTtl(ttl ?? config.ttl)) {
        await store.deleteMany([...last.keys()]);
        return;
      }
      if (dropped.length > 0) await store.deleteMany(dropped);
      if (kept.length === 0) return;
      const expires = expiryOf(ttl);
      const keys: Buffer[] = [];
      const values: Array<Buffer | null> = [];
      const counters: Array<number | null> = [];
      for (const [key, value] of kept) {
        const [bytes, count] = columns(key, value, expires);
        keys.push(keyBytes(key));
        values.push(bytes);
        counters.push(count);
      }
      await query(sql.setMany, [keys, values, counters, expires, now()]);
      sweeper.noteWrite(kept.length);
    },
    async deleteMany(keys) {
      if (keys.length === 0) return 0;
      const { rows } = await query(sql.deleteMany, [keys.map(keyBytes), now()]);
      return rows.filter((row) => row.live === true).length;
    },
    increment: (key, delta = 1, ttl) => counter(key, delta, ttl),
    decrement: (key, delta = 1, ttl) => counter(key, -delta, ttl),
    async clear(prefix = '') {
      for (const [lower, upper] of prefixRanges(prefix)) {
        for (;;) {
          const { rowCount } = await query(sql.clearBatch, [lower, upper, SWEEP_BATCH]);
          if ((rowCount ?? 0) < SWEEP_BATCH) break;
        }
      }
    },
    async touch(key, ttl) {
      const expires = isExpiredTtl(ttl ?? config.ttl) ? now() : expiryOf(ttl);
      const { rowCount } = await query(sql.touch, [keyBytes(key), expires, now()]);
      return rowCount === 1;
    },
    async lock(key, ttl) {
      const row = lockKeyBytes(key);
      const token = randomBytes(16);
      const expires = Math.ceil(now() + Math.max(ttl, 0.001) * 1000);
      const { rowCount } = await query(sql.lock, [row, token, expires, now()]);
      if (rowCount !== 1) return undefined;
      let released: Promise<void> | undefined;
      return {
        // Deletes the row only while it still holds this token: after the lock expired and
        // someone else took it, a late release leaves the new holder's lock alone.
        release: () => {
          released ??= query(sql.unlock, [row, token]).then(() => undefined);
          return released;
        },
      };
    },
    sweep: () => sweeper.sweep(),
    async close() {
      if (closed) return;
      closed = true;
      sweeper.stop();
      if (owned !== undefined) await owned.end();
    },
  };
  if (config.nearCache === undefined) return store;
  const open: OpenListener = owned?.listen ?? (() => checkOut(config.client as ConnectingClient));
  const bus = createPostgresBus(`larder_${config.table.table}`, query, open);
  const near = createNearCache(store, bus, config.nearCache);
  // The near cache carries the Store methods; sweep and the DDL stay the table's own.
  return Object.assign(near, { sweep: store.sweep, schema: ddl }) as unknown as PostgresStore;
}

async function checkOut(pool: ConnectingClient) {
  const connection = await pool.connect();
  let released = false;
  return {
    connection,
    close() {
      if (released) return;
      released = true;
      connection.release(true); // a connection that was LISTENing is not handed to anyone else
    },
  };
}
