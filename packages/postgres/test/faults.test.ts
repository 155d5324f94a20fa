import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCache } from '@larder/core';
import { responseCache } from '@larder/express';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import {
  type PostgresServer,
  postgresMissing,
  startPostgres,
} from '../../../test/helpers/servers/postgres.ts';
import { createPostgresStore, type PostgresStore } from '../src/index.ts';

// A dead, paused or starved PostgreSQL costs the app its cache, never a request: every response
// below is checked for status and body, and a hit is proven by the handler's call count.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cachedApp(store: PostgresStore) {
  const calls = new Map<string, number>();
  const errors: Error[] = [];
  const app = express();
  app.use(responseCache({ store, ttl: 60, onError: (error) => errors.push(error) }));
  app.get('/item/:id', (req, res) => {
    calls.set(req.params.id, (calls.get(req.params.id) ?? 0) + 1);
    res.send(`item ${req.params.id}`);
  });
  return { app, calls, errors };
}

async function getItem(app: express.Express, id: string) {
  // supertest listens on a new port per request: one Host header keeps one cache key.
  const res = await request(app).get(`/item/${id}`).set('Host', 'app.test');
  assert.equal(res.status, 200, `status of /item/${id}`);
  assert.equal(res.text, `item ${id}`);
  return res;
}

/**
 * Waits until the cache's background writes of the last round have failed and been reported (a
 * finished response is shared with requests for its key until its write settles).
 */
async function settled(errors: Error[]) {
  for (let seen = -1; seen !== errors.length; ) {
    seen = errors.length;
    await sleep(400);
  }
}

/** Requests `id` until it is a hit (the breaker lets a probe through once a second), or fails. */
async function untilHit(app: express.Express, id: string, calls: Map<string, number>) {
  for (let i = 0; i < 100; i++) {
    const before = calls.get(id) ?? 0;
    await getItem(app, id);
    if (i > 0 && (calls.get(id) ?? 0) === before) return;
    await sleep(100);
  }
  assert.fail(`/item/${id} never became a hit`);
}

function userPool(server: PostgresServer, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: server.connectionString, max });
  pool.on('error', () => {}); // idle connections die when the server stops
  return pool;
}

describe('@larder/postgres when PostgreSQL fails under a real Express app', {
  skip: postgresMissing(),
}, () => {
  let server: PostgresServer;
  const cleanups: Array<() => Promise<unknown>> = [];
  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await server.destroy();
  });

  test('serves every request with the right body while the server stops under load, and hits resume after a restart', {
    timeout: 60_000,
  }, async () => {
    const store = createPostgresStore({
      connectionString: server.connectionString,
      table: 'stop_load',
      timeout: '300ms',
    });
    cleanups.push(() => store.close());
    const { app, calls } = cachedApp(store);
    const cache = createCache({ stores: { pg: store }, timeout: '2s' });
    for (let id = 0; id < 10; id++) await getItem(app, String(id));
    await getItem(app, '0');
    assert.equal(calls.get('0'), 1, 'a hit before the fault');

    let statuses = 0;
    const load = (async () => {
      for (let wave = 0; wave < 15; wave++) {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => getItem(app, String((wave * 20 + i) % 30))),
        );
        statuses += results.length;
      }
    })();
    await sleep(50);
    await server.stop();
    await load;
    assert.equal(statuses, 300, 'every request answered 200 with its own body');

    // The facade computes instead of failing while the store is down.
    assert.equal(await cache.wrap('down', async () => 'computed', 60), 'computed');
    assert.ok(cache.stats().errors >= 1);

    server = await server.restart();
    await untilHit(app, 'after-restart', calls);
    assert.equal(await cache.wrap('up', async () => 'first', 60), 'first');
    assert.equal(
      await cache.wrap('up', async () => 'second', 60),
      'first',
      'the facade hits again',
    );
  });

  test('serves requests uncached while the server is paused (SIGSTOP), and hits resume on SIGCONT', {
    timeout: 30_000,
  }, async () => {
    const pool = userPool(server, 4);
    cleanups.push(() => pool.end());
    const store = createPostgresStore({ client: pool, table: 'paused', timeout: '200ms' });
    const { app, calls, errors } = cachedApp(store);
    await getItem(app, 'warm');
    server.pause();
    try {
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => getItem(app, `p${i}`)));
        await settled(errors);
      }
      assert.equal(calls.get('p0'), 3, 'each round ran the handler: nothing could be stored');
    } finally {
      server.resume();
    }
    await untilHit(app, 'p0', calls);
    await untilHit(app, 'resumed', calls);
  });

  test('serves requests while every pooled connection is taken, and hits resume once they return', {
    timeout: 30_000,
  }, async () => {
    const pool = userPool(server, 2);
    cleanups.push(() => pool.end());
    const store = createPostgresStore({ client: pool, table: 'starved', timeout: '200ms' });
    const { app, calls, errors } = cachedApp(store);
    await getItem(app, 'warm'); // creates the table before the pool is taken
    const held = [await pool.connect(), await pool.connect()];
    try {
      for (let round = 0; round < 2; round++) {
        await Promise.all(Array.from({ length: 5 }, (_, i) => getItem(app, `s${i}`)));
        await settled(errors);
      }
      assert.equal(calls.get('s0'), 2);
    } finally {
      for (const client of held) client.release();
    }
    await untilHit(app, 's0', calls);
  });

  test('a store on a connection string rejects, not hangs, once its server is gone', {
    timeout: 20_000,
  }, async () => {
    const stopped = await startPostgres();
    const store = createPostgresStore({
      connectionString: stopped.connectionString,
      table: 'gone',
      timeout: '250ms',
      breaker: { failures: 1000 },
    });
    cleanups.push(() => store.close());
    await store.set('k', 'v');
    await stopped.destroy();
    // Each rejection is the pool's or the breaker's timeout, not a hang.
    for (let i = 0; i < 3; i++) await assert.rejects(store.get('k'));
  });
});
