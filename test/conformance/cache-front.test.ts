import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFileStore, createMemoryStore } from '@larder/core';
import * as larderExpress from '@larder/express';
import * as larderKoa from '@larder/koa';
import express from 'express';
import Koa from 'koa';
import { type FrontRespond, frontFrameworks } from '../helpers/front-apps.ts';
import { serve } from '../helpers/front-serve.ts';
import { rawRequest } from '../helpers/raw-request.ts';
import { manualClock } from '../helpers/response-cache-matrix.ts';

const HOST = { host: 'shop.example' };
const page: FrontRespond = (n) => ({ headers: { 'x-made': `call ${n}` }, body: `page ${n}` });

/** The headers two replies must share: all but the ones Node writes per connection or per second. */
function comparable(headers: Record<string, unknown>): Record<string, unknown> {
  const { date: _d, connection: _c, 'keep-alive': _k, ...rest } = headers;
  return rest;
}

for (const fw of frontFrameworks) {
  describe(`cacheFront [${fw.name}]`, () => {
    it('answers a hit without running any middleware or handler, with the same status, headers and bytes as the app', async () => {
      const clock = manualClock();
      const app = await fw.build([{ path: '/p', cache: { now: clock.now }, respond: page }]);
      const miss = await rawRequest(app.front, '/p', HOST);
      assert.equal(miss.headers['x-cache'], 'MISS');
      clock.advance(3);
      const inApp = await rawRequest(app.plain, '/p', HOST);
      assert.equal(app.middleware(), 2);
      const front = await rawRequest(app.front, '/p', HOST);
      assert.equal(app.middleware(), 2, 'no middleware ran for the front hit');
      assert.equal(app.calls('/p'), 1);
      assert.equal(front.status, inApp.status);
      assert.deepEqual(front.body, inApp.body);
      assert.deepEqual(comparable(front.headers), comparable(inApp.headers));
      assert.equal(front.headers['x-cache'], 'HIT');
      assert.equal(front.headers.age, '3');
      assert.match(String(front.headers['cache-status']), /hit/);
      assert.equal(front.body.toString(), 'page 1');
    });

    it('answers HEAD without a body and a matching If-None-Match with 304, both from the front', async () => {
      const app = await fw.build([{ path: '/h', cache: {}, respond: page }]);
      const miss = await rawRequest(app.front, '/h', HOST);
      const etag = String(miss.headers.etag);
      const head = await rawRequest(app.front, '/h', HOST, 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      assert.equal(head.headers['content-length'], miss.headers['content-length']);
      const revalidated = await rawRequest(app.front, '/h', { ...HOST, 'if-none-match': etag });
      assert.equal(revalidated.status, 304);
      assert.equal(revalidated.body.length, 0);
      assert.equal(revalidated.headers.etag, etag);
      assert.equal(app.middleware(), 1);
      assert.equal(app.cache('/h').stats().notModified, 1);
    });

    it('hands to the app what the middleware would not serve: Authorization, Cookie, POST, Range, X-Forwarded-Host, rewrite headers', async () => {
      const app = await fw.build([{ path: '/s', cache: {}, respond: page }]);
      await rawRequest(app.front, '/s', HOST);
      const passes: [Record<string, string>, string][] = [
        [{ ...HOST, authorization: 'Bearer x' }, 'GET'],
        [{ ...HOST, cookie: 'sid=1' }, 'GET'],
        [HOST, 'POST'],
        [{ ...HOST, range: 'bytes=0-1' }, 'GET'],
        [{ ...HOST, 'x-forwarded-host': 'evil.example' }, 'GET'],
        [{ ...HOST, 'x-original-url': '/admin' }, 'GET'],
        [{ host: 'other.example' }, 'GET'],
      ];
      for (const [headers, method] of passes) {
        const before = app.middleware();
        await rawRequest(app.front, '/s', headers, method);
        assert.equal(
          app.middleware(),
          before + 1,
          `${method} ${JSON.stringify(headers)} reached the app`,
        );
      }
      // Nothing those requests did changed what the front serves for the page.
      const hit = await rawRequest(app.front, '/s', HOST);
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.equal(hit.body.toString(), 'page 1');
    });

    it('passes paths no layer stored, uncached routes, and routes keyed by a key function', async () => {
      const app = await fw.build([
        { path: '/plain', respond: page },
        { path: '/custom', cache: { key: () => 'custom' }, respond: page },
      ]);
      for (let i = 0; i < 2; i++) {
        await rawRequest(app.front, '/plain', HOST);
        await rawRequest(app.front, '/custom', HOST);
      }
      assert.equal(app.calls('/plain'), 2);
      // The key function's route is served from its cache, by the app.
      assert.equal(app.calls('/custom'), 1);
      assert.equal(app.middleware(), 4);
      assert.deepEqual(app.handler.stats(), { hits: 0, passed: 4 });
    });

    it('uses the layer recipe: the query allow-list, the keyed header and the Vary-learned header', async () => {
      const app = await fw.build([
        {
          path: '/r',
          cache: { query: ['page'], headers: ['x-tenant'] },
          respond: (n) => ({ headers: { vary: 'Accept-Language' }, body: `r ${n}` }),
        },
      ]);
      const en = { ...HOST, 'x-tenant': 'a', 'accept-language': 'en' };
      await rawRequest(app.front, '/r?page=1&utm=x', en);
      const same = await rawRequest(app.front, '/r?utm=y&page=1', en);
      assert.equal(same.body.toString(), 'r 1');
      assert.equal(app.middleware(), 1);
      const otherTenant = await rawRequest(app.front, '/r?page=1', { ...en, 'x-tenant': 'b' });
      const otherLanguage = await rawRequest(app.front, '/r?page=1', {
        ...en,
        'accept-language': 'fr',
      });
      const otherPage = await rawRequest(app.front, '/r?page=2', en);
      assert.deepEqual(
        [otherTenant, otherLanguage, otherPage].map((r) => r.body.toString()),
        ['r 2', 'r 3', 'r 4'],
      );
      assert.equal(app.middleware(), 4);
      const again = await rawRequest(app.front, '/r?page=1', { ...en, 'accept-language': 'fr' });
      assert.equal(again.body.toString(), 'r 3');
      assert.equal(app.middleware(), 4);
    });

    it('sees invalidation by key, path, tag and prefix at once', async () => {
      const app = await fw.build([{ path: '/i/:id', cache: { tags: ['items'] }, respond: page }]);
      const cache = app.cache('/i/:id');
      const ways = [
        () => cache.invalidate('/i/1'),
        () => cache.invalidatePath('/i/1'),
        () => cache.invalidateTags(['items']),
        () => cache.invalidatePrefix('/i/'),
      ];
      let expected = 0;
      for (const invalidate of ways) {
        await rawRequest(app.front, '/i/1', HOST);
        expected++;
        await rawRequest(app.front, '/i/1', HOST);
        assert.equal(app.calls('/i/:id'), expected, 'the second request was a front hit');
        await invalidate();
      }
      await rawRequest(app.front, '/i/1', HOST);
      assert.equal(app.calls('/i/:id'), expected + 1);
    });

    it('counts a front hit in the layer stats and reports it through onHit', async () => {
      const seen: [string | undefined, number][] = [];
      const app = await fw.build([{ path: '/c', cache: {}, respond: page }], {
        onHit: (req, status) => seen.push([req.url, status]),
      });
      const miss = await rawRequest(app.front, '/c', HOST);
      await rawRequest(app.front, '/c', HOST);
      await rawRequest(app.front, '/c', { ...HOST, 'if-none-match': String(miss.headers.etag) });
      const stats = app.cache('/c').stats();
      assert.deepEqual([stats.misses, stats.hits, stats.notModified, stats.stored], [1, 2, 1, 1]);
      assert.deepEqual(seen, [
        ['/c', 200],
        ['/c', 304],
      ]);
      assert.deepEqual(app.handler.stats(), { hits: 2, passed: 1 });
    });

    it('keeps middleware on the requests a skip predicate names', async () => {
      const app = await fw.build([{ path: '/k', cache: {}, respond: page }], {
        skip: (req) => req.headers['x-audit'] !== undefined,
      });
      await rawRequest(app.front, '/k', HOST);
      await rawRequest(app.front, '/k', { ...HOST, 'x-audit': '1' });
      assert.equal(app.middleware(), 2);
      // The app answered it from its own cache: the handler still ran once.
      assert.equal(app.calls('/k'), 1);
    });

    it('does not serve a stale entry: the app serves it and refreshes', async () => {
      const clock = manualClock();
      const app = await fw.build([
        {
          path: '/st',
          cache: { ttl: 10, staleWhileRevalidate: 60, now: clock.now },
          respond: page,
        },
      ]);
      await rawRequest(app.front, '/st', HOST);
      clock.advance(20);
      const stale = await rawRequest(app.front, '/st', HOST);
      assert.equal(stale.headers['x-cache'], 'STALE');
      // The app answered it (and ran its refresh): the front only answers fresh entries.
      assert.deepEqual(app.handler.stats(), { hits: 0, passed: 2 });
    });
  });
}

describe('cacheFront hit path', () => {
  it('writes a memory-store hit before the handler returns (no promise on the way)', async () => {
    const app = express();
    app.get('/sync', larderExpress.responseCache(), (_req, res) => {
      res.send('sync');
    });
    const front = larderExpress.cacheFront(app);
    const endedInCall: boolean[] = [];
    const url = await serve((req, res) => {
      front(req, res);
      endedInCall.push(res.writableEnded);
    });
    await rawRequest(url, '/sync', HOST);
    await rawRequest(url, '/sync', HOST);
    await rawRequest(url, '/sync', { ...HOST, 'if-none-match': 'W/"nope"' });
    assert.deepEqual(endedInCall, [false, true, true]);
    assert.deepEqual(front.stats(), { hits: 2, passed: 1 });
  });

  it('serves from a store that answers asynchronously (the file store) once the read resolves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'larder-front-'));
    try {
      let calls = 0;
      const app = new Koa();
      app.use(larderKoa.responseCache({ store: createFileStore({ dir }) }));
      app.use((ctx) => {
        ctx.body = `file ${++calls}`;
      });
      const front = larderKoa.cacheFront(app);
      const url = await serve(front);
      await rawRequest(url, '/f', HOST);
      // Until the file is written the app answers (its layer serves the fill's entry meanwhile).
      for (let i = 0; i < 100 && front.stats().hits === 0; i++) {
        const hit = await rawRequest(url, '/f', HOST);
        assert.equal(hit.body.toString(), 'file 1');
        assert.equal(hit.headers['x-cache'], 'HIT');
      }
      assert.equal(front.stats().hits, 1);
      assert.equal(calls, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('cacheFront recipes', () => {
  it('never serves a redeployed app (other options, same store) with the old recipe', async () => {
    const store = createMemoryStore();
    let v1Calls = 0;
    let v2Calls = 0;
    const v1 = express();
    v1.get('/list', larderExpress.responseCache({ store, query: false }), (_req, res) => {
      res.send(`v1 ${++v1Calls}`);
    });
    const v2 = express();
    v2.get('/list', larderExpress.responseCache({ store, query: ['page'] }), (_req, res) => {
      res.send(`v2 ${++v2Calls}`);
    });
    const front1 = larderExpress.cacheFront(v1);
    const front2 = larderExpress.cacheFront(v2);
    const one = await serve(front1);
    const two = await serve(front2);
    await rawRequest(one, '/list?page=2', HOST);
    assert.equal((await rawRequest(one, '/list?page=3', HOST)).body.toString(), 'v1 1');
    // v2 keys on page: its front has no recipe yet, and v2's own layer misses on its own key.
    assert.equal((await rawRequest(two, '/list?page=3', HOST)).body.toString(), 'v2 1');
    assert.equal((await rawRequest(two, '/list?page=3', HOST)).body.toString(), 'v2 1');
    assert.equal((await rawRequest(two, '/list?page=4', HOST)).body.toString(), 'v2 2');
    assert.deepEqual(front2.stats(), { hits: 1, passed: 2 });
  });

  it('passes a path that two layers with different options stored for', async () => {
    let calls = 0;
    const app = new Koa();
    const a = larderKoa.responseCache({ query: false });
    const b = larderKoa.responseCache({ query: true });
    app.use((ctx, next) => (ctx.get('x-beta') ? b(ctx, next) : a(ctx, next)));
    app.use((ctx) => {
      ctx.vary('X-Beta');
      ctx.body = `call ${++calls}`;
    });
    const front = larderKoa.cacheFront(app);
    const url = await serve(front);
    await rawRequest(url, '/x?q=1', HOST);
    await rawRequest(url, '/x?q=1', HOST);
    assert.deepEqual(front.stats(), { hits: 1, passed: 1 });
    await rawRequest(url, '/x?q=1', { ...HOST, 'x-beta': '1' });
    await rawRequest(url, '/x?q=1', HOST);
    await rawRequest(url, '/x?q=1', { ...HOST, 'x-beta': '1' });
    assert.deepEqual(front.stats(), { hits: 1, passed: 4 });
    assert.equal(calls, 2);
  });

  it('throws at setup on a bad option or a missing app, naming cacheFront', () => {
    const app = express();
    assert.throws(() => larderExpress.cacheFront(app, { onhit: () => {} } as never), {
      name: 'TypeError',
      message: /cacheFront: unknown option 'onhit'/,
    });
    assert.throws(() => larderKoa.cacheFront(new Koa(), { skip: 'yes' } as never), {
      name: 'TypeError',
      message: /cacheFront: option skip must be a function, got 'yes'/,
    });
    assert.throws(() => larderKoa.cacheFront(undefined as never), /cacheFront: app must be a Koa/);
    assert.throws(
      () => larderExpress.cacheFront({} as never),
      /cacheFront: app must be an Express/,
    );
  });
});
