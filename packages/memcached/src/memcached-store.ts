import {
  createCircuitBreaker,
  encodeEntry,
  expiresAt,
  isExpiredTtl,
  type SharedStore,
  type Store,
} from '@larder/core';
import {
  deltaExtras,
  exptime,
  OP,
  type Reply,
  STATUS,
  storageExtras,
  touchExtras,
} from './binary-protocol.ts';
import type { ClearLog } from './clear-log.ts';
import { itemName } from './clear-log.ts';
import { Generations } from './generations.ts';
import {
  COUNTER_OFFSET,
  counterOf,
  counterText,
  entryOf,
  FLAG_COUNTER,
  FLAG_ENTRY,
  ITEM_OVERHEAD,
  itemValue,
} from './items.ts';
import { type MemcachedStoreOptions, resolveOptions } from './options.ts';
import { check, createCall } from './requests.ts';
import { takeLock } from './store-lock.ts';

/** A {@link Store} on memcached; every optional capability is present. */
export interface MemcachedStore extends SharedStore {
  readonly name: 'memcached';
}

const STORE = 'memcached store';

const found = (reply: Reply) => check(reply, 'get', STATUS.notFound);

// Compare-and-swap loops (add over an expired item, increment of a set value, touch) give up
// after this many lost races.
const CAS_ATTEMPTS = 5;

/**
 * Creates a store on memcached through memjs (binary protocol): values are core codec frames, so
 * Buffers stay bytes and foreign or corrupt items read as misses; long or non-ASCII keys are
 * hashed; `clear(prefix)` renames keys by generation (memcached cannot delete by pattern); `add`,
 * `increment` and `lock` are atomic on the server. Every request has a timeout and goes through a
 * circuit breaker, so a dead or paused memcached costs at most `timeout` per call until the
 * breaker opens, then nothing.
 *
 * @example
 * const store = createMemcachedStore({ servers: '127.0.0.1:11211', prefix: 'shop:' });
 * app.use(responseCache({ store }));
 */
export function createMemcachedStore(options?: MemcachedStoreOptions): MemcachedStore {
  const o = resolveOptions(options);
  const { client, prefix, now } = o;
  const breaker = createCircuitBreaker({
    failures: o.failures,
    probeAfter: o.probeAfter,
    timeout: o.timeout,
  });
  const call = createCall(client, breaker);
  const generations = new Generations(call, prefix);
  const current = <T>(op: (log: ClearLog) => Promise<T>) => generations.current(op);

  const nameOf = (l: ClearLog, key: string) => itemName(prefix, `v${l.generation(key)}`, key);

  async function read(l: ClearLog, key: string): Promise<unknown> {
    const reply = check(await call(OP.get, nameOf(l, key)), 'get', STATUS.notFound);
    return reply.status === STATUS.ok ? itemValue(reply, key, now()) : undefined;
  }

  /** The frame for a write, or a RangeError (after removing the old value) when it cannot fit. */
  async function frameFor(name: string, key: string, value: unknown, ttl: number) {
    const bytes = encodeEntry({ key, expires: expiresAt(now(), ttl), value });
    if (bytes.length + name.length + ITEM_OVERHEAD <= o.maxItemSize) return bytes;
    await refuse(name, key, bytes.length);
  }

  async function refuse(name: string, key: string, size: number): Promise<never> {
    // The previous value must not outlive a write that was refused.
    check(await call(OP.delete, name), 'delete', STATUS.notFound);
    throw new RangeError(
      `${STORE}: the value of ${JSON.stringify(key.slice(0, 80))} (${size} bytes encoded) exceeds the item size limit (maxItemSize ${o.maxItemSize} bytes); not stored`,
    );
  }

  async function write(l: ClearLog, key: string, value: unknown, ttl = o.ttl): Promise<void> {
    const name = nameOf(l, key);
    if (isExpiredTtl(ttl)) {
      check(await call(OP.delete, name), 'delete', STATUS.notFound);
      return;
    }
    const bytes = (await frameFor(name, key, value, ttl)) as Buffer;
    const reply = await call(OP.set, name, storageExtras(FLAG_ENTRY, exptime(ttl)), bytes);
    if (reply.status === STATUS.tooLarge) await refuse(name, key, bytes.length);
    check(reply, 'set');
  }

  async function remove(l: ClearLog, key: string): Promise<boolean> {
    const reply = check(await call(OP.delete, nameOf(l, key)), 'delete', STATUS.notFound);
    return reply.status === STATUS.ok;
  }

  async function add(l: ClearLog, key: string, value: unknown, ttl = o.ttl): Promise<boolean> {
    if (isExpiredTtl(ttl)) return false;
    const name = nameOf(l, key);
    const bytes = (await frameFor(name, key, value, ttl)) as Buffer;
    const extras = storageExtras(FLAG_ENTRY, exptime(ttl));
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const added = check(await call(OP.add, name, extras, bytes), 'add', STATUS.exists);
      if (added.status === STATUS.ok) return true;
      // The item may be past its expiry on this store's clock (memcached expires by whole
      // seconds) or not ours: then it is replaced, only if unchanged since it was read.
      const item = check(await call(OP.get, name), 'get', STATUS.notFound);
      if (item.status === STATUS.notFound) continue;
      if (itemValue(item, key, now()) !== undefined) return false;
      const swapped = await call(OP.set, name, extras, bytes, item.cas);
      if (check(swapped, 'set', STATUS.exists, STATUS.notFound).status === STATUS.ok) return true;
    }
    return false;
  }

  async function count(l: ClearLog, key: string, delta: number, ttl = o.ttl): Promise<number> {
    if (!Number.isSafeInteger(delta)) {
      throw new TypeError(`${STORE}: increment delta must be a safe integer, got ${delta}`);
    }
    const name = nameOf(l, key);
    const opcode = delta >= 0 ? OP.increment : OP.decrement;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const reply = await call(opcode, name, deltaExtras(BigInt(Math.abs(delta))));
      if (reply.status === STATUS.ok)
        return Number(reply.value.readBigUInt64BE(0)) - COUNTER_OFFSET;
      check(reply, 'increment', STATUS.notFound, STATUS.nonNumeric);
      // Missing, or an entry written by `set`: becomes a counter, replaced only if unchanged.
      const item =
        reply.status === STATUS.notFound ? undefined : await call(OP.get, name).then(found);
      const entry = item === undefined ? undefined : entryOf(item, key, now());
      const start = entry?.value ?? (item === undefined ? 0 : counterOf(item)) ?? 0;
      if (typeof start !== 'number' || !Number.isSafeInteger(start)) {
        throw new TypeError(
          `${STORE}: cannot increment key ${JSON.stringify(key)}: its value is not an integer`,
        );
      }
      const keep = entry === undefined ? ttl : (entry.expires - now()) / 1000;
      const extras = storageExtras(FLAG_COUNTER, exptime(keep));
      const text = counterText(start + delta);
      const stored =
        item === undefined
          ? await call(OP.add, name, extras, text)
          : await call(OP.set, name, extras, text, item.cas);
      if (check(stored, 'set', STATUS.exists, STATUS.notFound).status === STATUS.ok) {
        return start + delta;
      }
    }
    throw new Error(`${STORE}: increment of ${JSON.stringify(key)} lost ${CAS_ATTEMPTS} races`);
  }

  async function touch(l: ClearLog, key: string, ttl = o.ttl): Promise<boolean> {
    const name = nameOf(l, key);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const item = found(await call(OP.get, name));
      if (item.status === STATUS.notFound) return false;
      if (item.flags === FLAG_COUNTER) {
        const op = isExpiredTtl(ttl) ? OP.delete : OP.touch;
        const extras = isExpiredTtl(ttl) ? undefined : touchExtras(exptime(ttl));
        return check(await call(op, name, extras), 'touch', STATUS.notFound).status === STATUS.ok;
      }
      const entry = entryOf(item, key, now());
      if (entry === undefined) return false;
      const reply = isExpiredTtl(ttl)
        ? await call(OP.delete, name, undefined, undefined, item.cas)
        : await call(
            OP.set,
            name,
            storageExtras(FLAG_ENTRY, exptime(ttl)),
            encodeEntry({ key, expires: expiresAt(now(), ttl), value: entry.value }),
            item.cas,
          );
      if (check(reply, 'touch', STATUS.exists, STATUS.notFound).status === STATUS.ok) return true;
    }
    return false;
  }

  return {
    name: 'memcached',
    capabilities: { retains: true, shared: true, atomic: true, serializes: true },
    get: (key) => current((l) => read(l, key)),
    set: (key, value, ttl) => current((l) => write(l, key, value, ttl)),
    delete: (key) => current((l) => remove(l, key)),
    has: (key) => current((l) => read(l, key)).then((value) => value !== undefined),
    add: (key, value, ttl) => current((l) => add(l, key, value, ttl)),
    getMany: (keys) => current((l) => Promise.all(keys.map((key) => read(l, key)))),
    setMany: (entries, ttl) =>
      current((l) => Promise.all(entries.map(([key, value]) => write(l, key, value, ttl)))).then(
        () => undefined,
      ),
    deleteMany: (keys) =>
      current((l) => Promise.all(keys.map((key) => remove(l, key)))).then(
        (removed) => removed.filter(Boolean).length,
      ),
    increment: (key, delta = 1, ttl) => current((l) => count(l, key, delta, ttl)),
    decrement: (key, delta = 1, ttl) => current((l) => count(l, key, -delta, ttl)),
    clear: (prefix) => generations.clear(prefix),
    touch: (key, ttl) => current((l) => touch(l, key, ttl)),
    lock: (key, ttl) => takeLock(call, prefix, key, ttl),
    async close() {
      if (o.ownsClient) client.close();
    },
  };
}
