import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import type { Store } from '@larder/core';
import { responseCache } from '@larder/express';
import express from 'express';
import { memcachedMissing, startMemcached } from '../../../test/helpers/servers/memcached.ts';
import { freePort, type ServerProcess } from '../../../test/helpers/servers/server-process.ts';
import { createMemcachedStore, type MemcachedStore } from '../src/index.ts';

// Generous bound on one request while memcached is sick: the store's timeout is 0.5 s and the
// breaker then fails fast, so a request that takes this long has stalled on the store.
const STALL_MS = 3000;

interface App {
  readonly url: string;
  readonly store: MemcachedStore;
  readonly errors: Error[];
  runs: number;
  close(): Promise<void>;
}

/** An Express app caching `/page/:id` in memcached on `port`, counting handler runs. */
async function startApp(port: number, lie?: (store: MemcachedStore) => Store): Promise<App> {
  const store = createMemcachedStore({ servers: `127.0.0.1:${port}`, prefix: `f${port}:` });
  const errors: Error[] = [];
  const app = express();
  const state = { runs: 0 };
  const onError = (error: Error) => void errors.push(error);
  app.use(responseCache({ store: lie ? lie(store) : store, ttl: 300, storeTimeout: 0.3, onError }));
  app.get('/page/:id', (req, res) => {
    state.runs += 1;
    res.send(`page ${req.params.id}`);
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    errors,
    get runs() {
      return state.runs;
    },
    set runs(value) {
      state.runs = value;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}

/** GETs `path`, checks a 200 with the right body within the stall bound, returns X-Cache. */
async function page(app: App, id: number): Promise<string | null> {
  const started = Date.now();
  const res = await fetch(`${app.url}/page/${id}`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), `page ${id}`);
  const took = Date.now() - started;
  assert.ok(took < STALL_MS, `request took ${took} ms`);
  return res.headers.get('x-cache');
}

/** Requests `/page/<id>` until it is a hit (caching resumed), for at most `ms`. */
async function untilHit(app: App, id: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await page(app, id)) === 'HIT') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`no hit on /page/${id} within ${ms} ms`);
}

describe('an Express app on a sick memcached', { skip: memcachedMissing, timeout: 60_000 }, () => {
  let server: ServerProcess | undefined;
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    await server?.kill();
    app = undefined;
    server = undefined;
  });

  test('memcached down at start-up: requests are served uncached, then caching starts once it is up', async () => {
    const port = await freePort();
    app = await startApp(port);
    for (let i = 0; i < 10; i++) assert.equal(await page(app, 1), 'MISS');
    assert.equal(app.runs, 10, 'every request ran the handler');
    assert.ok(app.errors.length > 0, 'store failures reach onError');
    server = await startMemcached({ port });
    await untilHit(app, 1);
  });

  test('memcached killed under load: no request fails, and caching resumes after a restart', async () => {
    server = await startMemcached();
    const port = server.port;
    app = await startApp(port);
    await page(app, 2);
    assert.equal(await page(app, 2), 'HIT');
    const load = (async () => {
      for (let i = 0; i < 300; i++) await page(app as App, i % 20);
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.kill();
    await load;
    server = await startMemcached({ port });
    await untilHit(app, 3);
  });

  test('memcached paused (SIGSTOP): every request finishes within the bound, hits resume after SIGCONT', async () => {
    server = await startMemcached();
    app = await startApp(server.port);
    await page(app, 4);
    assert.equal(await page(app, 4), 'HIT');
    server.pause();
    const runsBefore = app.runs;
    await Promise.all(Array.from({ length: 20 }, (_, i) => page(app as App, 100 + i)));
    for (let i = 0; i < 10; i++) await page(app, 200 + i);
    assert.equal(app.runs - runsBefore, 30, 'served uncached by the handler');
    server.resume();
    await untilHit(app, 5);
  });
});

describe('an Express app on memcached whose lock lies', { skip: memcachedMissing }, () => {
  let server: ServerProcess | undefined;
  let app: App | undefined;
  afterEach(async () => {
    await app?.close();
    await server?.stop();
  });

  test('a lock that never answers costs one storeTimeout: requests are served, coalesced and cached', async () => {
    server = await startMemcached();
    app = await startApp(server.port, (store) => ({ ...store, lock: () => new Promise(() => {}) }));
    const replies = await Promise.all(Array.from({ length: 10 }, () => page(app as App, 7)));
    assert.deepEqual(replies.sort(), [
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'HIT',
      'MISS',
    ]);
    assert.equal(app.runs, 1, 'one handler run for the ten concurrent requests');
    assert.equal(await page(app, 7), 'HIT');
    assert.ok(
      app.errors.some((e) => /store lock on .* failed/.test(e.message)),
      'reported',
    );
  });
});

describe('memcached store failures outside an app', { skip: memcachedMissing }, () => {
  test('with nothing listening, calls reject fast once the breaker is open', async () => {
    const port = await freePort();
    const store = createMemcachedStore({
      servers: `127.0.0.1:${port}`,
      failures: 2,
      probeAfter: 60,
    });
    try {
      await assert.rejects(store.get('a'));
      await assert.rejects(store.get('a'));
      await assert.rejects(store.get('a'), /circuit open/);
    } finally {
      await store.close();
    }
  });
});
