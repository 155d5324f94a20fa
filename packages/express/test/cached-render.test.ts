import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache } from '@larder/core';
import express from 'express';
import request from 'supertest';
import { countingViewEngine, fixtures } from '../../../test/helpers/view-engine.ts';
import { cachedRender } from '../src/index.ts';

function app() {
  const views = countingViewEngine();
  const cache = createCache();
  let loads = 0;
  const server = express();
  server.engine('tpl', views.engine);
  server.set('view engine', 'tpl');
  server.set('views', fixtures);
  server.get('/hello/:name', async (req, res) => {
    const name = req.params.name;
    await cachedRender(
      res,
      'page',
      () => {
        loads++;
        return { name };
      },
      { key: name, ttl: '5m', cache },
    );
  });
  server.get('/static', async (_req, res) => {
    await cachedRender(res, 'page', { name: 'static' }, { cache });
  });
  server.get('/missing', async (_req, res, next) => {
    await cachedRender(res, 'no-such-view', {}, { cache }).catch(next);
  });
  server.use(
    (_error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('render failed');
    },
  );
  return { server, renders: views.renders, loads: () => loads, cache };
}

describe('cachedRender', () => {
  it('renders a view once per key and serves the cached HTML afterwards', async () => {
    const a = app();
    const first = await request(a.server).get('/hello/Ada').expect(200);
    assert.equal(first.text, 'Hello <b>Ada</b> from a Larder view.\n');
    assert.match(String(first.headers['content-type']), /text\/html/);
    await request(a.server).get('/hello/Ada').expect(200, first.text);
    assert.equal(a.renders(), 1);
    assert.equal(a.loads(), 1, 'locals given as a function are loaded only on a miss');
    await request(a.server).get('/hello/Bob').expect(200, /Bob/);
    assert.equal(a.renders(), 2);
  });

  it('renders again after the cached HTML is deleted from the cache', async () => {
    const a = app();
    await request(a.server)
      .get('/static')
      .expect(200, /static/);
    await a.cache.delete('render:page:');
    await request(a.server)
      .get('/static')
      .expect(200, /static/);
    assert.equal(a.renders(), 2);
  });

  it('shares one render among concurrent requests for one key', async () => {
    const a = app();
    await Promise.all(
      Array.from({ length: 10 }, () => request(a.server).get('/hello/Cy').expect(200)),
    );
    assert.equal(a.renders(), 1);
  });

  it('passes the view engine error on and caches nothing', async () => {
    const a = app();
    await request(a.server).get('/missing').expect(500);
    await request(a.server).get('/missing').expect(500);
  });

  it('throws a RangeError naming cachedRender and ttl for a bad ttl', async () => {
    const res = { app: express() } as unknown as express.Response;
    await assert.rejects(cachedRender(res, 'page', {}, { ttl: '-1' }), {
      name: 'RangeError',
      message: /cachedRender.*ttl/,
    });
  });

  it('keeps the default cache of two apps apart: one view name, two apps, two pages', async () => {
    const [publicApp, adminApp] = ['public', 'admin'].map((name) => {
      const views = countingViewEngine();
      const server = express();
      server.engine('tpl', views.engine);
      server.set('view engine', 'tpl');
      server.set('views', fixtures);
      server.get('/', async (_req, res) => {
        await cachedRender(res, 'page', { name }, { key: 'home' });
      });
      return server;
    });
    assert.ok(publicApp && adminApp);
    for (let round = 0; round < 2; round++) {
      const pub = await request(publicApp).get('/').expect(200);
      const admin = await request(adminApp).get('/').expect(200);
      assert.match(pub.text, /public/);
      assert.match(admin.text, /admin/);
    }
  });
});
