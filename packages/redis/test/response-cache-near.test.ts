import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, describe, it, test } from 'node:test';
import { localRead, type Store } from '@larder/core';
import { responseCache } from '@larder/express';
import { createResponseCache } from '@larder/http';
import express from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { redisSkip, startRedis } from '../../../test/helpers/servers/redis.ts';
import { createRedisStore } from '../src/redis-store.ts';
import { until } from './fixtures/load.ts';

if (redisSkip !== undefined) {
  test('response cache over a Redis near cache', { skip: redisSkip }, () => {});
} else {
  const redis = await startRedis();
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(redis.url).on('error', () => {});
    clients.push(client);
    return client;
  };
  after(async () => {
    for (const client of clients) client.disconnect();
    await redis.stop();
  });
  const admin = connect();

  /** Commands the Redis server has run, `INFO` itself left out. */
  async function commands(): Promise<number> {
    const stats = await admin.info('commandstats');
    let total = 0;
    for (const [, name, calls] of stats.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) {
      if (name !== 'info') total += Number(calls);
    }
    return total;
  }

  /** Resolves, with the command count, once Redis ran no command between two looks. */
  async function quiet(): Promise<number> {
    let last = await commands();
    await until(
      async () => {
        const now = await commands();
        const still = now === last;
        last = now;
        return still;
      },
      3000,
      'redis quiet',
    );
    return last;
  }

  /**
   * An Express app listening on 127.0.0.1 (one port, so one Host for every request) whose one route
   * is cached in `store` and counts its handler calls.
   */
  async function app(store: Store, options: { storeTimeout?: number } = {}) {
    let calls = 0;
    const cache = responseCache({ store, ...options });
    const express5 = express();
    express5.get('/page', cache, (_req, res) => {
      calls++;
      res.type('text').send(`call ${calls}`);
    });
    const server = createServer(express5);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => void server.close());
    return { server, cache, calls: () => calls };
  }

  let n = 0;
  async function nearStore() {
    const store = createRedisStore({ client: connect(), prefix: `rcnear${++n}:`, nearCache: true });
    after(() => store.close());
    await until(async () => store.connected === true, 3000, 'subscribed');
    return store;
  }

  describe('responseCache over a Redis store with nearCache', () => {
    it('serves hits from the near cache without sending Redis a command', async () => {
      const store = await nearStore();
      assert.equal(localRead(store)?.final, false);
      const { server, calls } = await app(store);
      await request(server).get('/page').expect('call 1');
      // The write's invalidation dropped the key from this process's tier; once it has landed,
      // one read through Redis fills the tier again.
      await quiet();
      await request(server).get('/page').expect('call 1');
      const before = await quiet();
      for (let i = 0; i < 10; i++) {
        const hit = await request(server).get('/page').expect('call 1');
        assert.equal(hit.headers['x-cache'], 'HIT');
      }
      assert.equal((await commands()) - before, 0);
      assert.equal(calls(), 1);
    });

    it('reads through Redis on a local miss, and runs the handler again after an invalidation', async () => {
      const store = await nearStore();
      const { server, cache, calls } = await app(store);
      await request(server).get('/page').expect('call 1');
      const before = await commands();
      await request(server).get('/page').expect('call 1');
      assert.ok((await commands()) - before >= 1, 'the local miss went to Redis');
      await cache.invalidatePath('/page');
      await request(server).get('/page').expect('call 2');
      assert.equal(calls(), 2);
    });

    it('answers a hit held in the near cache synchronously: the engine makes no promise for it', async () => {
      const store = await nearStore();
      const engine = createResponseCache({ store });
      const request = () => ({
        method: 'GET',
        path: '/sync',
        query: '',
        headers: {},
        host: 'example.test',
      });
      const first = await engine.handle(request());
      assert.equal(first.kind, 'fill');
      if (first.kind !== 'fill') return;
      const headers = { 'content-type': 'text/plain' };
      await first.fill.complete({ status: 200, headers, body: Buffer.from('page') });
      await until(async () => engine.stats().stored === 1, 3000, 'stored');
      // The write's invalidation message comes back to this process too and drops the key from
      // its tier: once Redis is quiet, a read through it fills the tier again.
      await quiet();
      assert.equal((await engine.handle(request())).kind, 'serve');
      const before = await quiet();
      const hit = engine.handle(request());
      assert.ok(!(hit instanceof Promise), 'a near-cache hit is answered without a promise');
      assert.equal(hit.kind, 'serve');
      assert.equal((await commands()) - before, 0);
    });

    it('keeps a decorated copy of the near cache behind the guard: a get that never answers times out', async () => {
      const store = await nearStore();
      const decorated: Store = { ...store, get: () => new Promise(() => {}) };
      assert.equal(localRead(decorated), undefined);
      const { server, calls } = await app(decorated, { storeTimeout: 0.05 });
      const res = await request(server).get('/page').expect(200, 'call 1');
      assert.notEqual(res.headers['x-cache'], 'HIT');
      assert.equal(calls(), 1);
    });
  });
}
