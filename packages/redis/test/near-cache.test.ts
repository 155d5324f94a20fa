import assert from 'node:assert/strict';
import { after, describe, it, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisSkip, startRedis } from '../../../test/helpers/servers/redis.ts';
import { createRedisStore } from '../src/redis-store.ts';
import { until } from './fixtures/load.ts';

const quiet = (client: Redis) => client.on('error', () => {});

if (redisSkip !== undefined) {
  test('redis near cache', { skip: redisSkip }, () => {});
} else {
  const redis = await startRedis();
  const clients: Redis[] = [];
  const connect = () => {
    const client = quiet(new Redis(redis.url));
    clients.push(client);
    return client;
  };
  after(async () => {
    for (const client of clients) client.disconnect();
    await redis.stop();
  });
  let n = 0;
  /** Two "processes": each its own client, near cache and subscriber, sharing one prefix. */
  async function pair() {
    const prefix = `near${++n}:`;
    const a = createRedisStore({ client: connect(), prefix, nearCache: true });
    const b = createRedisStore({ client: connect(), prefix, nearCache: true });
    after(() => Promise.all([a.close(), b.close()]));
    await until(async () => a.connected === true && b.connected === true, 3000, 'subscribed');
    return { a, b };
  }

  describe('a Redis store with nearCache', () => {
    it('answers repeated reads in process: Redis sees one GET', async () => {
      const { a } = await pair();
      await a.set('k', 'v');
      // The write's own invalidation comes back to `a` through its subscription and empties the
      // tier again: let it land first, or it may drop the value the first read keeps.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const before = Number(
        (await clients[0]!.info('commandstats')).match(/cmdstat_get:calls=(\d+)/)?.[1] ?? 0,
      );
      for (let i = 0; i < 20; i++) assert.equal(await a.get('k'), 'v');
      const after = Number(
        (await clients[0]!.info('commandstats')).match(/cmdstat_get:calls=(\d+)/)?.[1] ?? 0,
      );
      assert.equal(after - before, 1);
    });

    it('after a write or delete resolves in A, B serves the old value only until the message lands', async (t) => {
      const { a, b } = await pair();
      const stale: number[] = [];
      for (let i = 0; i < 200; i++) {
        await a.set('page', i);
        // B now holds `i` in memory; A overwrites it.
        assert.equal(await b.get('page'), i);
        await a.set('page', i + 1);
        const written = performance.now();
        while ((await b.get('page')) !== i + 1)
          await new Promise((resolve) => setImmediate(resolve));
        stale.push(performance.now() - written);
      }
      await b.get('page');
      await a.delete('page');
      const deleted = performance.now();
      while ((await b.get('page')) !== undefined)
        await new Promise((resolve) => setImmediate(resolve));
      stale.push(performance.now() - deleted);
      stale.sort((x, y) => x - y);
      const p99 = stale[Math.floor(stale.length * 0.99)] as number;
      const max = stale.at(-1) as number;
      t.diagnostic(
        `staleness after a write resolves: p50 ${stale[100]?.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms`,
      );
      // One pub/sub delivery on loopback; far below the 5 s ttl that bounds a lost message.
      assert.ok(max < 1000, `B served the old value for ${max} ms`);
    });

    it('clear(prefix) in A empties that prefix in B', async () => {
      const { a, b } = await pair();
      await a.setMany([
        ['user:1', 'u1'],
        ['post:1', 'p1'],
      ]);
      assert.deepEqual(await b.getMany(['user:1', 'post:1']), ['u1', 'p1']);
      await a.clear('user:');
      await until(async () => (await b.get('user:1')) === undefined, 1000, 'B drops user:1');
      assert.equal(await b.get('post:1'), 'p1');
    });

    it('stops serving from memory when its subscriber is cut off, and resumes after', async () => {
      const { a, b } = await pair();
      await a.set('k', 'v1');
      assert.equal(await b.get('k'), 'v1');
      // Kill B's subscriber connection from the server side: messages sent now would be lost.
      const list = (await clients[0]!.client('LIST')) as string;
      const subscribers = list
        .split('\n')
        .filter((line) => /cmd=(subscribe|ping)/.test(line) && /sub=1/.test(line));
      assert.ok(subscribers.length >= 2, list);
      for (const line of subscribers) {
        const id = line.match(/id=(\d+)/)?.[1] as string;
        await clients[0]!.client('KILL', 'ID', id);
      }
      await until(async () => !b.connected, 2000, 'B notices');
      await a.set('k', 'v2');
      assert.equal(await b.get('k'), 'v2', 'read from Redis while cut off');
      await until(async () => b.connected === true, 5000, 'B resubscribes');
      await a.set('k', 'v3');
      assert.equal(await b.get('k'), 'v3');
    });
  });
}
