import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, describe, it, test } from 'node:test';
import express from 'express';
import { Redis } from 'ioredis';
import { redisSkip, startRedis } from '../../../test/helpers/servers/redis.ts';
import { freePort } from '../../../test/helpers/servers/server-process.ts';
import { createRedisStore } from '../src/redis-store.ts';
import { buildStoreApp, type StoreApp } from './fixtures/app.ts';
import { listen, load, type Outcome, until } from './fixtures/load.ts';

// Store errors surface through onError; an 'error' event nobody listens to would only be printed.
const quiet = (client: Redis) => client.on('error', () => {});

const PATHS = [
  ...Array.from({ length: 40 }, (_, i) => `/page/s${i % 4}/${i}`),
  ...Array.from({ length: 10 }, (_, i) => `/wrapped/${i}`),
];
const bodyOf = (path: string) =>
  path.startsWith('/page/')
    ? `page ${path.slice('/page/'.length)}`
    : `wrapped ${path.split('/')[2]}`;

function assertAllServed(outcomes: readonly Outcome[]): void {
  const wrong = outcomes.filter((o) => o.status !== 200 || o.body !== bodyOf(o.path));
  assert.deepEqual(
    wrong.slice(0, 5),
    [],
    `${wrong.length} of ${outcomes.length} requests failed or had a wrong body`,
  );
}

/** Resolves once a second request for `path` runs no handler: the first one was stored again. */
function hitsResume(url: string, app: StoreApp, path: string): Promise<void> {
  return until(
    async () => {
      await fetch(url + path).then((r) => r.text());
      const before = app.calls.get(path) ?? 0;
      const body = await fetch(url + path).then((r) => r.text());
      assert.equal(body, bodyOf(path));
      return app.calls.get(path) === before;
    },
    8000,
    `caching of ${path} resumes`,
  );
}

async function serve(app: StoreApp): Promise<{ url: string; server: Server }> {
  const served = await listen(app.app);
  after(() => served.server.close());
  return served;
}

if (redisSkip !== undefined) {
  test('redis faults', { skip: redisSkip }, () => {});
} else {
  describe('an Express app caching in Redis', () => {
    for (const nearCache of [false, true]) {
      it(`serves every request while Redis is killed mid-load, and caches again once it is back (near cache ${nearCache ? 'on' : 'off'})`, async () => {
        const redis = await startRedis();
        const client = quiet(new Redis(redis.url));
        after(async () => {
          client.disconnect();
          await redis.stop();
        });
        const store = createRedisStore({ client, prefix: 'kill:', nearCache });
        after(() => store.close());
        const app = buildStoreApp(store);
        const { url } = await serve(app);
        const outcomes = await load(url, PATHS, 2000, 16, async (done) => {
          if (done === 600) await redis.process.kill();
        });
        assertAllServed(outcomes);
        assert.ok(app.errors.length > 0, 'onError heard of the dead Redis');
        await redis.restart();
        await hitsResume(url, app, '/page/s1/1');
        await hitsResume(url, app, '/wrapped/1');
        if (nearCache) await until(async () => store.connected === true, 5000, 'resubscribed');
      });
    }

    it('answers every request within the timeout while Redis is paused (SIGSTOP)', async () => {
      const redis = await startRedis();
      const client = quiet(new Redis(redis.url));
      after(async () => {
        client.disconnect();
        await redis.stop();
      });
      const app = buildStoreApp(createRedisStore({ client, prefix: 'pause:' }));
      const { url } = await serve(app);
      assertAllServed(await load(url, PATHS, 100, 10));
      redis.process.pause();
      const paused = await load(url, PATHS, 300, 10);
      redis.process.resume();
      assertAllServed(paused);
      const slowest = Math.max(...paused.map((o) => o.ms));
      // The store's timeout is 500 ms and a request makes at most a read and a write before
      // answering; 2 s leaves room for a loaded machine and is still well under 3 s.
      assert.ok(slowest < 2000, `slowest request took ${Math.round(slowest)} ms`);
      assert.ok(
        app.errors.some((e) => /no answer within 500 ms|circuit open/.test(e.message)),
        app.errors[0]?.message,
      );
      await hitsResume(url, app, '/page/s2/2');
    });

    it('serves uncached while Redis is down at start-up and caches once it comes up', async () => {
      // The app listens first: a port freed for Redis could otherwise be handed to it.
      let app: StoreApp | undefined;
      const front = express();
      front.use((req, res, next) => app?.app(req, res, next));
      const { url, server } = await listen(front);
      after(() => server.close());
      let port = await freePort();
      while (url.endsWith(`:${port}`)) port = await freePort();
      const client = quiet(new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true }));
      after(() => client.disconnect());
      app = buildStoreApp(createRedisStore({ client, prefix: 'late:' }));
      assertAllServed(await load(url, PATHS, 200, 10));
      assert.ok(
        app.errors.some((e) =>
          /Redis is not connected \((connecting|reconnecting)\)/.test(e.message),
        ),
        `onError says why: ${app.errors[0]?.message}`,
      );
      const redis = await startRedis({ port });
      after(() => redis.stop());
      await hitsResume(url, app, '/page/s3/3');
    });

    it('serves every request when Redis is full with noeviction, and onError says so', async () => {
      const redis = await startRedis({
        args: ['--maxmemory', '4mb', '--maxmemory-policy', 'noeviction'],
      });
      const client = quiet(new Redis(redis.url));
      after(async () => {
        client.disconnect();
        await redis.stop();
      });
      const filler = 'x'.repeat(64 * 1024);
      for (let i = 0; ; i++) {
        const full = await client.set(`other-app:${i}`, filler).then(
          () => false,
          (error: Error) => /OOM/.test(error.message),
        );
        if (full) break;
      }
      const app = buildStoreApp(createRedisStore({ client, prefix: 'full:' }));
      const { url } = await serve(app);
      assertAllServed(await load(url, PATHS, 200, 10));
      assert.ok(
        app.errors.some((e) => /OOM command not allowed/.test(e.message)),
        `onError says why: ${app.errors[0]?.message}`,
      );
      assert.ok((app.calls.get('/page/s0/0') ?? 0) >= 2, 'nothing could be stored, so nothing hit');
    });
  });
}
