import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createMemoryStore } from '@larder/core';
import express from 'express';
import supertest from 'supertest';
import { responseCache } from '../src/index.ts';

/**
 * supertest on a bare handler listens on a new port for each request, and the key holds the host
 * with its port: a fixed Host keeps a test's requests on one key.
 */
function request(handler: Parameters<typeof supertest>[0]) {
  const agent = supertest(handler);
  return {
    get: (path: string) => agent.get(path).set('Host', 'app.test'),
    head: (path: string) => agent.head(path).set('Host', 'app.test'),
  };
}

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

async function listen(app: express.Express): Promise<Server> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('Express responseCache capture', () => {
  it('streams a response whose handler flushes headers early, and does not store it', async () => {
    let calls = 0;
    const app = express();
    app.use(responseCache({ store: createMemoryStore() }));
    app.get('/events', (_req, res) => {
      calls++;
      res.setHeader('Content-Type', 'text/event-stream');
      res.flushHeaders();
      res.write('data: one\n\n');
      setImmediate(() => res.end('data: two\n\n'));
    });
    for (let i = 0; i < 2; i++) {
      const res = await request(app).get('/events').buffer(true).expect(200);
      assert.equal(res.text, 'data: one\n\ndata: two\n\n');
      assert.equal(res.headers['x-cache'], 'BYPASS');
    }
    assert.equal(calls, 2);
  });

  it('releases waiting requests at once when the filling client disconnects', {
    timeout: 5000,
  }, async () => {
    let calls = 0;
    const app = express();
    app.use(responseCache({ store: createMemoryStore(), coalesceTimeout: 60 }));
    app.get('/slow', (_req, res) => {
      calls++;
      if (calls === 1) return; // the first handler never answers
      res.send('second');
    });
    const server = await listen(app);
    const port = (server.address() as AddressInfo).port;
    const first = httpRequest({ port, host: '127.0.0.1', path: '/slow' });
    first.on('error', () => {});
    first.end();
    while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const second = request(server).get('/slow');
    const answer = second.then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 20));
    first.destroy();
    const res = await answer;
    assert.equal(res.status, 200);
    assert.equal(res.text, 'second');
  });

  it('keys a router-mounted responseCache on the full path', async () => {
    let calls = 0;
    const store = createMemoryStore();
    const cache = responseCache({ store });
    const router = express.Router();
    router.use(cache);
    router.get('/item', (_req, res) => {
      res.send(`item ${++calls}`);
    });
    const app = express();
    app.use('/api', router);
    await request(app).get('/api/item').expect('item 1');
    await request(app).get('/api/item').expect('item 1');
    await cache.invalidatePath('/api/item');
    await request(app).get('/api/item').expect('item 2');
  });

  it("keys the query as the app's query parser reads it: 'extended', and off", async () => {
    let calls = 0;
    const extended = express();
    extended.set('query parser', 'extended');
    extended.use(responseCache({ store: createMemoryStore() }));
    extended.get('/q', (req, res) => {
      res.send(`${JSON.stringify(req.query)} ${++calls}`);
    });
    await request(extended).get('/q?a[b]=1').expect('{"a":{"b":"1"}} 1');
    await request(extended).get('/q?a%5Bb%5D=1').expect('{"a":{"b":"1"}} 1');
    await request(extended).get('/q?a[]=1').expect('{"a":["1"]} 2');
    await request(extended).get('/q?a=1').expect('{"a":"1"} 3');
    const off = express();
    off.set('query parser', false);
    off.use(responseCache({ store: createMemoryStore() }));
    off.get('/raw', (req, res) => {
      res.send(`${req.originalUrl} ${++calls}`);
    });
    await request(off).get('/raw?x=1').expect('/raw?x=1 4');
    await request(off).get('/raw?x=2').expect('/raw?x=2 5');
    await request(off).get('/raw?x=1').expect('/raw?x=1 4');
  });

  it('captures headers given to writeHead as a flat list', async () => {
    let calls = 0;
    const app = express();
    app.use(responseCache({ store: createMemoryStore() }));
    app.get('/flat', (_req, res) => {
      calls++;
      res.writeHead(200, ['Content-Type', 'text/plain', 'X-Flat', 'yes']);
      res.end('flat');
    });
    await request(app).get('/flat');
    const hit = await request(app).get('/flat').expect(200, 'flat');
    assert.equal(hit.headers['x-cache'], 'HIT');
    assert.equal(hit.headers['x-flat'], 'yes');
    assert.equal(calls, 1);
  });

  it('sends the error of a handler through the default final handler without storing it', async () => {
    let calls = 0;
    const app = express();
    app.set('env', 'test');
    app.use(responseCache({ store: createMemoryStore() }));
    app.get('/boom', () => {
      calls++;
      throw new Error('boom');
    });
    await request(app).get('/boom').expect(500);
    await request(app).get('/boom').expect(500);
    assert.equal(calls, 2);
  });

  it('keeps the default stores of two apps apart, even for one middleware instance mounted in both', async () => {
    const shared = responseCache();
    const path = `/same-${Date.now()}`;
    const [publicApp, adminApp] = ['public', 'admin'].map((name) => {
      const app = express();
      app.get(path, shared, (_req, res) => {
        res.send(`${name} page`);
      });
      return app;
    });
    assert.ok(publicApp && adminApp);
    for (let round = 0; round < 2; round++) {
      await request(publicApp).get(path).expect('public page');
      await request(adminApp).get(path).expect('admin page');
    }
    assert.equal(shared.stats().hits, 2);
  });

  it('shares the default store of an app with the sub-apps mounted in it', async () => {
    let calls = 0;
    const outer = responseCache();
    const sub = express();
    sub.get('/page', responseCache({ ttl: 30 }), (_req, res) => {
      res.send(`sub ${++calls}`);
    });
    const app = express();
    app.use(outer);
    app.use('/sub', sub);
    await request(app).get('/sub/page').expect('sub 1');
    await request(app).get('/sub/page').expect('sub 1');
    // The app-wide instance reaches the entry the sub-app's route made.
    await outer.invalidatePath('/sub/page');
    await request(app).get('/sub/page').expect('sub 2');
  });
});
