import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CacheStoreError, createCache } from '@larder/core';
import memjs from 'memjs';
import { memcachedMissing, startMemcached } from '../../../test/helpers/servers/memcached.ts';
import type { ServerProcess } from '../../../test/helpers/servers/server-process.ts';
import { OP, send, storageExtras } from '../src/binary-protocol.ts';
import { ClearLog, itemName } from '../src/clear-log.ts';
import { createMemcachedStore, type MemcachedStore } from '../src/index.ts';
import { FLAG_ENTRY } from '../src/items.ts';

describe('createMemcachedStore options', () => {
  const cases: ReadonlyArray<readonly [string, object, RegExp]> = [
    ['an unknown option', { prefx: 'a:' }, /createMemcachedStore: unknown option "prefx"/],
    ['a prefix with a space', { prefix: 'my app:' }, /option "prefix" .* got "my app:"/],
    ['a negative timeout', { timeout: -1 }, /option "timeout" .* got -1/],
    ['a zero timeout', { timeout: 0 }, /option "timeout" must be above 0/],
    ['a fractional maxItemSize', { maxItemSize: 1.5 }, /option "maxItemSize" .* got 1\.5/],
    ['zero failures', { failures: 0 }, /option "failures" .* got 0/],
    ['servers with a space', { servers: 'a b:1' }, /option "servers" .* got "a b:1"/],
    ['both client and servers', { client: {}, servers: 'h:1' }, /"client" or "servers", not both/],
    [
      'a client that is not memjs',
      { client: { get() {} } },
      /option "client" must be a memjs Client/,
    ],
  ];
  for (const [label, options, message] of cases) {
    test(`throws naming the option for ${label}`, () => {
      assert.throws(() => createMemcachedStore(options as never), message);
    });
  }
});

describe('memcached item names', () => {
  test('a short printable key is kept readable', () => {
    assert.equal(itemName('app:', 'v1', 'user:1'), 'app:v1:user:1');
  });
  test('long, non-ASCII, spaced and control-character keys are hashed within 250 bytes', () => {
    for (const key of ['k'.repeat(300), 'ключ', 'with space', 'tab\tkey', 'nul\u0000key']) {
      const name = itemName('app:', 'v1', key);
      assert.match(name, /^app:v1#[A-Za-z0-9_-]{43}$/, JSON.stringify(key.slice(0, 20)));
    }
  });
  test('a hashed name never equals the name of a short key', () => {
    const hashed = itemName('app:', 'v1', 'ключ');
    const tail = hashed.slice('app:v1#'.length);
    assert.notEqual(itemName('app:', 'v1', `#${tail}`), hashed);
  });
});

describe('memcached store on a real server', { skip: memcachedMissing }, () => {
  let server: ServerProcess;
  let raw: memjs.Client;
  let runs = 0;
  const open = (options: object = {}): MemcachedStore =>
    createMemcachedStore({ servers: `127.0.0.1:${server.port}`, prefix: `t${runs}:`, ...options });
  before(async () => {
    server = await startMemcached();
    raw = memjs.Client.create(`127.0.0.1:${server.port}`, { logger: { log: () => {} } });
  });
  after(async () => {
    raw.close();
    await server.stop();
  });

  /** The memcached name `store` (prefix `t<runs>:`) gives `key` now. */
  async function nameOf(key: string): Promise<string> {
    const { value } = await raw.get(`t${runs}:clears`);
    const log = ClearLog.parse(value as Buffer);
    assert.ok(log, 'the clear log is readable');
    return itemName(`t${runs}:`, `v${log.generation(key)}`, key);
  }

  test('a value over the item size limit is refused with a RangeError and the old value removed', async () => {
    runs += 1;
    const store = open();
    try {
      await store.set('page', 'old');
      await assert.rejects(store.set('page', Buffer.alloc(2 * 1024 * 1024)), (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /exceeds the item size limit \(maxItemSize 1048576 bytes\)/);
        return true;
      });
      assert.equal(await store.get('page'), undefined);
    } finally {
      await store.close();
    }
  });

  test('a value the server refuses as too large (maxItemSize set above its -I) is refused the same way', async () => {
    runs += 1;
    const store = open({ maxItemSize: 8 * 1024 * 1024 });
    try {
      await store.set('page', 'old');
      await assert.rejects(store.set('page', Buffer.alloc(2 * 1024 * 1024)), RangeError);
      assert.equal(await store.get('page'), undefined);
    } finally {
      await store.close();
    }
  });

  test('through the facade, an oversized value is reported to onError and reads as a miss', async () => {
    runs += 1;
    const store = open();
    const errors: Error[] = [];
    const cache = createCache({ stores: { mc: store }, onError: (e) => errors.push(e) });
    try {
      await cache.set('big', Buffer.alloc(2 * 1024 * 1024));
      assert.equal(await cache.get('big'), undefined);
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof CacheStoreError);
      assert.ok((errors[0] as Error).cause instanceof RangeError);
    } finally {
      await store.close();
    }
  });

  test('foreign and corrupt items under a store key read as misses', async () => {
    runs += 1;
    const store = open();
    try {
      await store.set('a', 'mine');
      const name = await nameOf('a');
      await raw.set(name, 'written by another client', {});
      assert.equal(await store.get('a'), undefined, 'foreign value');
      await store.set('a', Buffer.from('x'.repeat(100)));
      const { value } = await raw.get(name);
      assert.ok(value);
      // The store's own flags, a frame cut short: the CRC and lengths no longer agree.
      const cut = (value as Buffer).subarray(0, 60);
      await send(raw, OP.set, name, storageExtras(FLAG_ENTRY, 0), cut);
      assert.equal(await store.get('a'), undefined, 'truncated frame');
    } finally {
      await store.close();
    }
  });

  test('clear(prefix) in one client is seen at once by another sharing the prefix', async () => {
    runs += 1;
    const [a, b] = [open(), open()];
    try {
      await a.set('user:1', 'u1');
      await a.set('post:1', 'p1');
      assert.equal(await b.get('user:1'), 'u1');
      await a.clear('user:');
      assert.equal(await b.get('user:1'), undefined);
      assert.equal(await b.get('post:1'), 'p1');
      await b.set('user:1', 'u1 again');
      assert.equal(await a.get('user:1'), 'u1 again');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a clear log lost by memcached never brings cleared entries back', async () => {
    runs += 1;
    const store = open();
    try {
      await store.set('k1', 'old');
      const before = await nameOf('k1');
      await store.clear('k');
      await store.set('k1', 'new');
      // An item written under the old generation is still there; the log goes (eviction, flush).
      assert.ok((await raw.get(before)).value, 'the stale item is still in memcached');
      await raw.delete(`t${runs}:clears`);
      assert.equal(await store.get('k1'), undefined, 'neither the old nor the new value');
      await store.set('k1', 'after');
      assert.equal(await store.get('k1'), 'after');
    } finally {
      await store.close();
    }
  });

  test('increment turns an integer written by set into a counter and refuses a non-integer', async () => {
    runs += 1;
    const store = open();
    try {
      await store.set('n', 5);
      assert.equal(await store.increment('n', 2), 7);
      assert.equal(await store.get('n'), 7);
      await store.set('s', 'text');
      await assert.rejects(store.increment('s'), /its value is not an integer/);
      assert.equal(await store.decrement('neg', 2 ** 40), -(2 ** 40));
    } finally {
      await store.close();
    }
  });

  test('a lock is exclusive, released by its owner, and an expired owner cannot free its successor', async () => {
    runs += 1;
    const [a, b] = [open(), open()];
    try {
      const first = await a.lock('job', 1);
      assert.ok(first);
      assert.equal(await b.lock('job', 1), undefined, 'held');
      await first.release();
      await first.release();
      const second = await b.lock('job', 1);
      assert.ok(second, 'free once released');
      // Past the 1 s lock (memcached may keep it up to two seconds): anyone may take it again.
      await new Promise((resolve) => setTimeout(resolve, 3100));
      const third = await a.lock('job', 30);
      assert.ok(third, 'free once expired');
      await second.release();
      assert.equal(
        await b.lock('job', 1),
        undefined,
        'a late release by the expired owner freed nothing',
      );
      await third.release();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
