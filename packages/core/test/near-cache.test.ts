import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../src/memory-store.ts';
import {
  createNearCache,
  type Invalidation,
  type InvalidationBus,
  type InvalidationListener,
} from '../src/near-cache.ts';
import type { Store } from '../src/store.ts';
import { testOptionErrors } from './option-errors.ts';

/** An in-process bus: every published message reaches every subscriber; `cut` drops them all. */
function createHub() {
  const listeners = new Set<InvalidationListener>();
  const published: Invalidation[] = [];
  return {
    published,
    bus(): InvalidationBus {
      return {
        async publish(message) {
          published.push(message);
          for (const listener of listeners) listener.onMessage(message);
        },
        subscribe(listener) {
          listeners.add(listener);
          listener.onStatus(true);
          return () => void listeners.delete(listener);
        },
      };
    },
    /** Reports every subscriber cut off (or back) without delivering anything meanwhile. */
    status(up: boolean) {
      for (const listener of listeners) listener.onStatus(up);
    },
  };
}

/** A memory store shared by "processes", counting the reads that reach it. */
function sharedStore() {
  const store = createMemoryStore();
  const counted = { ...store, reads: 0 } as Store & { reads: number };
  counted.get = (key) => {
    counted.reads += 1;
    return Promise.resolve(store.get(key));
  };
  return counted;
}

function clock(start = 1_000_000) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('createNearCache', () => {
  it('answers repeated reads from process memory', async () => {
    const shared = sharedStore();
    const near = createNearCache(shared, createHub().bus());
    await shared.set('k', 'v');
    assert.equal(await near.get('k'), 'v');
    assert.equal(await near.get('k'), 'v');
    assert.equal(shared.reads, 1);
  });

  it('getMany answers hits from memory and reads the misses in one getMany of the shared store', async () => {
    const store = createMemoryStore();
    const asked: string[][] = [];
    const shared: Store = {
      ...store,
      getMany(keys) {
        asked.push([...keys]);
        return store.getMany(keys);
      },
    };
    const near = createNearCache(shared, createHub().bus());
    store.setMany([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    assert.equal(await near.get('b'), 2);
    assert.deepEqual(await near.getMany?.(['a', 'b', 'c', 'd']), [1, 2, 3, undefined]);
    assert.deepEqual(asked, [['a', 'c', 'd']]);
    assert.deepEqual(await near.getMany?.(['a', 'c']), [1, 3]);
    assert.equal(asked.length, 1, 'both now come from memory');
  });

  it('drops the entry in every process when any process writes, deletes or clears', async () => {
    const shared = sharedStore();
    const hub = createHub();
    const a = createNearCache(shared, hub.bus());
    const b = createNearCache(shared, hub.bus());
    await a.set('page', 'old');
    assert.equal(await b.get('page'), 'old');
    await a.set('page', 'new');
    assert.equal(await b.get('page'), 'new', 'after a write');
    await a.delete('page');
    assert.equal(await b.get('page'), undefined, 'after a delete');
    await a.set('p:1', 1);
    await a.set('q:1', 2);
    assert.equal(await b.get('p:1'), 1);
    assert.equal(await b.get('q:1'), 2);
    await a.clear?.('p:');
    assert.equal(await b.get('p:1'), undefined, 'after a clear of its prefix');
    const reads = shared.reads;
    assert.equal(await b.get('q:1'), 2, 'another prefix stays');
    assert.equal(shared.reads, reads, 'and is still answered from memory');
    assert.deepEqual(hub.published.at(-1), { prefix: 'p:' });
  });

  it('publishes keys for add, increment, setMany and deleteMany', async () => {
    const hub = createHub();
    const near = createNearCache(sharedStore(), hub.bus());
    await near.add?.('a', 1);
    await near.increment?.('n', 2);
    await near.setMany?.([
      ['x', 1],
      ['y', 2],
    ]);
    await near.deleteMany?.(['x', 'y']);
    assert.deepEqual(hub.published, [
      { keys: ['a'] },
      { keys: ['n'] },
      { keys: ['x', 'y'] },
      { keys: ['x', 'y'] },
    ]);
  });

  it('does not keep a value read while an invalidation of its key arrived', async () => {
    const store = createMemoryStore();
    const hub = createHub();
    let releaseRead!: () => void;
    const slow: Store = {
      ...store,
      get: async (key) => {
        const value = store.get(key);
        await new Promise<void>((resolve) => {
          releaseRead = resolve;
        });
        return value;
      },
    };
    const b = createNearCache(slow, hub.bus());
    store.set('k', 'old');
    const read = b.get('k');
    await new Promise((resolve) => setImmediate(resolve));
    // Another process writes while B's read is out.
    store.set('k', 'new');
    await hub.bus().publish({ keys: ['k'] });
    releaseRead();
    assert.equal(await read, 'old', 'the read itself returns what it read');
    const next = b.get('k');
    await new Promise((resolve) => setImmediate(resolve));
    releaseRead();
    assert.equal(await next, 'new', 'the old value was not kept in memory');
  });

  it('bypasses process memory while the bus is cut off, and starts empty when it is back', async () => {
    const shared = sharedStore();
    const hub = createHub();
    const b = createNearCache(shared, hub.bus());
    await shared.set('k', 'v1');
    assert.equal(await b.get('k'), 'v1');
    hub.status(false);
    assert.equal(b.connected, false);
    // A write whose message B never receives:
    await shared.set('k', 'v2');
    assert.equal(await b.get('k'), 'v2');
    const reads = shared.reads;
    await b.get('k');
    assert.equal(shared.reads, reads + 1, 'every read goes to the shared store');
    hub.status(true);
    assert.equal(await b.get('k'), 'v2');
  });

  it('serves an entry from memory for at most ttl', async () => {
    const time = clock();
    const shared = sharedStore();
    const b = createNearCache(shared, createHub().bus(), { ttl: 2, now: time.now });
    await shared.set('k', 'v');
    await b.get('k');
    time.advance(1999);
    await b.get('k');
    assert.equal(shared.reads, 1);
    time.advance(2);
    await b.get('k');
    assert.equal(shared.reads, 2);
  });

  it('has the optional methods of the store it fronts, and only those', () => {
    const { get, set, delete: remove } = createMemoryStore();
    const near = createNearCache({ get, set, delete: remove }, createHub().bus());
    assert.equal(near.add, undefined);
    assert.equal(near.clear, undefined);
    assert.equal(typeof createNearCache(createMemoryStore(), createHub().bus()).clear, 'function');
  });
});

describe('createNearCache options', () => {
  const create = (options: never) =>
    createNearCache(createMemoryStore(), createHub().bus(), options);
  testOptionErrors(create, [
    [
      'ttl: Infinity',
      { ttl: Number.POSITIVE_INFINITY },
      RangeError,
      /createNearCache.*"ttl".*Infinity/,
    ],
    ['ttl: 0', { ttl: 0 }, RangeError, /"ttl".*0/],
    ['maxEntries: 0', { maxEntries: 0 }, RangeError, /createNearCache.*"maxEntries"/],
    ['now: "x"', { now: 'x' }, TypeError, /"now"/],
    ['an unknown option', { size: 3 }, TypeError, /createNearCache.*unknown option "size"/],
  ]);
});
