import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it, test } from 'node:test';
import { encodeEntry } from '@larder/core';
import { Cluster, Redis } from 'ioredis';
import { redisSkip, startRedis, startRedisCluster } from '../../../test/helpers/servers/redis.ts';
import { createRedisStore } from '../src/redis-store.ts';
import { until } from './fixtures/load.ts';

if (redisSkip !== undefined) {
  test('redis store', { skip: redisSkip }, () => {});
} else {
  const server = await startRedis();
  const nodes = await startRedisCluster();
  const client = new Redis(server.url);
  const cluster = new Cluster([...nodes.startupNodes]);
  after(async () => {
    client.disconnect();
    cluster.disconnect();
    await Promise.all([server.stop(), nodes.stop()]);
  });
  let n = 0;
  const fresh = () => `t${++n}:`;

  for (const [label, redis] of [
    ['standalone', client],
    ['Cluster', cluster],
  ] as const) {
    describe(`on ${label}`, () => {
      it('clear() removes only its own prefix: another app and another store keep their keys', async () => {
        const prefix = fresh();
        const store = createRedisStore({ client: redis, prefix });
        const neighbour = createRedisStore({ client: redis, prefix: `${prefix.slice(0, -1)};` });
        const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
        await store.setMany(keys.map((k) => [k, k]));
        await neighbour.set('k1', 'kept');
        await redis.set('other-app:k1', 'foreign');
        await redis.set(`${prefix.slice(0, -1)}`, 'a key that is the prefix minus its colon');
        await store.clear();
        assert.deepEqual(await store.getMany(['k0', 'k150', 'k299']), [
          undefined,
          undefined,
          undefined,
        ]);
        assert.equal(await neighbour.get('k1'), 'kept', 'a sibling prefix is another store');
        assert.equal(await redis.get('other-app:k1'), 'foreign');
        assert.equal(
          await redis.get(prefix.slice(0, -1)),
          'a key that is the prefix minus its colon',
        );
      });

      it('clear(prefix) takes glob metacharacters literally', async () => {
        const store = createRedisStore({ client: redis, prefix: fresh() });
        await store.setMany([
          ['a*b', 1],
          ['aXb', 2],
          ['[a]', 3],
          ['a', 4],
        ]);
        await store.clear('a*');
        await store.clear('[');
        assert.deepEqual(await store.getMany(['a*b', 'aXb', '[a]', 'a']), [
          undefined,
          2,
          undefined,
          4,
        ]);
      });

      it('keeps two near caches coherent through pub/sub', async () => {
        const prefix = fresh();
        const a = createRedisStore({ client: redis, prefix, nearCache: true });
        const b = createRedisStore({ client: redis, prefix, nearCache: true });
        after(() => Promise.all([a.close(), b.close()]));
        await until(async () => a.connected === true && b.connected === true, 5000, 'subscribed');
        await a.set('k', 'v1');
        assert.equal(await b.get('k'), 'v1');
        await a.set('k', 'v2');
        await until(async () => (await b.get('k')) === 'v2', 1000, 'B sees the overwrite');
        await b.clear();
        await until(async () => (await a.get('k')) === undefined, 1000, 'A sees the clear');
      });

      it('getMany, setMany and deleteMany span hash slots (and {hash tags}) in key order', async () => {
        const store = createRedisStore({ client: redis, prefix: fresh() });
        const keys = Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? `{tag}${i}` : `key-${i}`));
        await store.setMany(keys.map((k, i) => [k, i]));
        assert.deepEqual(await store.getMany([...keys, 'missing']), [
          ...keys.map((_, i) => i),
          undefined,
        ]);
        assert.equal(await store.deleteMany([...keys.slice(0, 10), 'missing']), 10);
        assert.equal(await store.get(keys[10] as string), 10);
      });
    });
  }

  describe('values', () => {
    it('stores a Buffer as its raw bytes under the prefix, not JSON or base64', async () => {
      const prefix = fresh();
      const store = createRedisStore({ client, prefix });
      const body = randomBytes(4096);
      await store.set('body', body);
      const raw = await client.getBuffer(`${prefix}body`);
      assert.ok(raw !== null, 'stored under the prefix');
      assert.ok(raw.includes(body), 'the bytes appear verbatim in the stored frame');
      assert.ok(raw.byteLength < body.byteLength + 100, `stored ${raw.byteLength} bytes`);
      const back = await store.get('body');
      assert.ok(Buffer.isBuffer(back) && back.equals(body));
    });

    it('reads foreign, truncated, other-version and moved values under its prefix as misses', async () => {
      const prefix = fresh();
      const store = createRedisStore({ client, prefix });
      const frame = encodeEntry({ key: 'a', expires: Number.POSITIVE_INFINITY, value: 'hello' });
      const otherVersion = Buffer.from(frame);
      otherVersion[4] = 9;
      await client.set(`${prefix}foreign`, '{"value":"json from another library"}');
      await client.set(`${prefix}truncated`, frame.subarray(0, frame.length - 3));
      await client.set(`${prefix}version`, otherVersion);
      await client.set(`${prefix}moved`, frame);
      await client.set(`${prefix}a`, frame);
      await client.rpush(`${prefix}list`, 'x');
      const keys = ['foreign', 'truncated', 'version', 'moved', 'list'];
      for (const key of keys) assert.equal(await store.get(key), undefined, key);
      assert.deepEqual(await store.getMany(keys.slice(0, 4)), [
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      assert.equal(await store.get('a'), 'hello', 'the genuine frame reads back');
    });

    it('keeps counters as Redis integers and converts an integer stored by set', async () => {
      const prefix = fresh();
      const store = createRedisStore({ client, prefix });
      assert.equal(await store.increment('hits', 2, 60), 2);
      assert.equal(await client.get(`${prefix}hits`), '2');
      const pttl = await client.pttl(`${prefix}hits`);
      assert.ok(pttl > 50_000 && pttl <= 60_000, `counter expiry ${pttl} ms`);
      assert.equal(await store.increment('hits', 1, 5), 3);
      assert.ok(
        (await client.pttl(`${prefix}hits`)) > 50_000,
        'an existing counter keeps its expiry',
      );
      await store.set('five', 5, 60);
      assert.equal(await store.increment('five'), 6);
      assert.equal(await store.get('five'), 6);
      assert.ok((await client.pttl(`${prefix}five`)) > 50_000, 'conversion keeps the expiry');
      await store.set('text', 'abc');
      await assert.rejects(store.increment('text'), /non-integer/);
      assert.equal(await store.get('text'), 'abc');
    });
  });

  describe('lock', () => {
    it('is exclusive, released only by its owner, and free again once it expires', async () => {
      const store = createRedisStore({ client, prefix: fresh() });
      const first = await store.lock('job', 0.2);
      assert.ok(first);
      assert.equal(await store.lock('job', 10), undefined, 'held');
      await new Promise((resolve) => setTimeout(resolve, 250));
      const second = await store.lock('job', 10);
      assert.ok(second, 'taken again after the first expired');
      await first.release();
      assert.equal(await store.lock('job', 10), undefined, 'the late first owner did not free it');
      await second.release();
      await second.release();
      const third = await store.lock('job', 10);
      assert.ok(third, 'free after its owner released it');
      await third.release();
    });

    it('lets exactly one of 50 concurrent callers take it', async () => {
      const store = createRedisStore({ client, prefix: fresh() });
      const locks = await Promise.all(Array.from({ length: 50 }, () => store.lock('race', 5)));
      assert.equal(locks.filter(Boolean).length, 1);
    });
  });
}
