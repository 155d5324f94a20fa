import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createCache } from '@larder/core';
import { describeBothFrameworks } from '../helpers/browser-caching-matrix.ts';
import { pageRoute, type RenderApp, startRenderApp } from '../helpers/cached-render-matrix.ts';

describeBothFrameworks('cachedRender', (framework) => {
  let clock = 1_000_000;
  const cache = createCache({ now: () => clock });
  const loads = { count: 0 };
  let app: RenderApp;
  before(async () => {
    app = await startRenderApp(framework, [
      pageRoute('/keyed/:name', (name) => ({ key: name, ttl: '5m', cache }), loads),
      pageRoute('/default-cache/:name', (name) => ({ key: name })),
      pageRoute('/tagged/:name', (name) => ({ key: name, tags: [`user:${name}`], cache })),
      pageRoute('/swr/:name', (name) => ({
        key: `swr:${name}`,
        ttl: 10,
        staleWhileRevalidate: 60,
        cache,
      })),
      pageRoute('/bad-ttl/:name', () => ({ ttl: '-1', cache })),
      pageRoute('/unknown/:name', () => ({ ttll: '5m' }) as never),
      { ...pageRoute('/missing/:name', () => ({ cache })), view: 'no-such-view' },
      {
        ...pageRoute('/typed/:name', (name) => ({ key: `t:${name}`, cache })),
        contentType: 'text/plain',
      },
    ]);
  });

  async function renders(run: () => Promise<unknown>): Promise<number> {
    const start = app.renders();
    await run();
    return app.renders() - start;
  }

  it('renders once per key, answers text/html, and serves the cached HTML afterwards', async () => {
    const count = await renders(async () => {
      const first = await app.http().get('/keyed/Ada').expect(200);
      assert.equal(first.text, 'Hello <b>Ada</b> from a Larder view.\n');
      assert.match(String(first.headers['content-type']), /^text\/html/);
      const second = await app.http().get('/keyed/Ada').expect(200);
      assert.equal(second.text, first.text);
      assert.match(String(second.headers['content-type']), /^text\/html/);
    });
    assert.equal(count, 1);
  });

  it('loads locals given as a function only on a miss', async () => {
    const before = loads.count;
    await app.http().get('/keyed/Lin').expect(200, /Lin/);
    await app.http().get('/keyed/Lin').expect(200, /Lin/);
    assert.equal(loads.count - before, 1);
  });

  it('keeps one entry per key: two keys, two renders, two pages', async () => {
    const count = await renders(async () => {
      await app.http().get('/keyed/Bob').expect(200, /Bob/);
      await app.http().get('/keyed/Cy').expect(200, /Cy/);
      await app.http().get('/keyed/Bob').expect(200, /Bob/);
    });
    assert.equal(count, 2);
  });

  it('shares one render among ten concurrent cold requests for one key', async () => {
    const count = await renders(() =>
      Promise.all(
        Array.from({ length: 10 }, () => app.http().get('/keyed/Dee').expect(200, /Dee/)),
      ),
    );
    assert.equal(count, 1);
  });

  it('stores under render:<view>:<key>, so deleting that key renders again', async () => {
    const count = await renders(async () => {
      await app.http().get('/keyed/Eve').expect(200);
      assert.equal(await cache.get('render:page:Eve'), 'Hello <b>Eve</b> from a Larder view.\n');
      await cache.delete('render:page:Eve');
      await app.http().get('/keyed/Eve').expect(200);
    });
    assert.equal(count, 2);
  });

  it('renders again after invalidateTags with the route’s tag, and only that key', async () => {
    await app.http().get('/tagged/Fay').expect(200);
    await app.http().get('/tagged/Gus').expect(200);
    const count = await renders(async () => {
      await cache.invalidateTags(['user:Fay']);
      await app.http().get('/tagged/Fay').expect(200, /Fay/);
      await app.http().get('/tagged/Gus').expect(200, /Gus/);
    });
    assert.equal(count, 1);
  });

  it('serves stale HTML within staleWhileRevalidate and refreshes it in the background once', async () => {
    await app.http().get('/swr/Hal').expect(200);
    clock += 30_000; // stale for 20 s, within the 60 s window
    const count = await renders(async () => {
      await app.http().get('/swr/Hal').expect(200, /Hal/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await app.http().get('/swr/Hal').expect(200, /Hal/);
    });
    assert.equal(count, 1);
  });

  it('renders the page instead of sending a value under its key that is not HTML', async () => {
    await cache.set('render:page:Zed', { forged: true });
    const count = await renders(() =>
      app
        .http()
        .get('/keyed/Zed')
        .expect(200, /Hello <b>Zed<\/b>/),
    );
    assert.equal(count, 1);
  });

  it('keeps a Content-Type the handler set itself', async () => {
    const res = await app.http().get('/typed/Ivy').expect(200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
  });

  it('uses one default memory cache per app when none is given', async () => {
    const count = await renders(async () => {
      await app.http().get('/default-cache/Jo').expect(200, /Jo/);
      await app.http().get('/default-cache/Jo').expect(200, /Jo/);
    });
    assert.equal(count, 1);
  });

  it('passes the view engine’s error on and caches nothing', async () => {
    await app
      .http()
      .get('/missing/x')
      .expect(500, /render failed/);
    await app
      .http()
      .get('/missing/x')
      .expect(500, /render failed/);
  });

  it('rejects a bad ttl with a RangeError naming cachedRender, ttl and the value, rendering nothing', async () => {
    const count = await renders(() =>
      app
        .http()
        .get('/bad-ttl/x')
        .expect(500, /cachedRender: option "ttl".*"-1"/),
    );
    assert.equal(count, 0);
  });

  it('rejects an unknown option with a TypeError naming it', async () => {
    await app
      .http()
      .get('/unknown/x')
      .expect(500, /cachedRender: unknown option "ttll"/);
  });
});
