import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createMemoryStore } from '@larder/core';
import type { ResponseCacheOptions } from '@larder/http';
import {
  type CountedAppSpec,
  countedApp,
  describeMatrix,
  type Exchange,
  manualClock,
  type TestApp,
  until,
} from '../helpers/response-cache-matrix.ts';

/** Answers `v1`, `v2`… by call number, so a hit (same version) is told apart from a fill. */
const version = (x: Exchange, n: number) => x.send(`v${n}`);

describeMatrix('responseCache handler-level control', (fw) => {
  it('tags an entry from the handler so invalidateTags removes it', async () => {
    const { app } = await countedApp(fw, { cache: {}, route: { path: '/tagged' } }, (x, n) => {
      x.tag('post:1', 'posts');
      version(x, n);
    });
    await app.http().get('/tagged').expect('v1');
    await app.http().get('/tagged').expect('v1');
    await app.appCache?.invalidateTags(['posts']);
    await app.http().get('/tagged').expect('v2');
  });

  it('does not store a response whose handler skipped the cache, and still sends it', async () => {
    const { app } = await countedApp(fw, { cache: {}, route: { path: '/skip' } }, (x, n) => {
      x.skip();
      version(x, n);
    });
    await app.http().get('/skip').expect(200, 'v1');
    const again = await app.http().get('/skip').expect(200, 'v2');
    assert.equal(again.headers['x-cache'], 'BYPASS');
  });

  it('stores for the handler-chosen ttl instead of the route ttl', async () => {
    const clock = manualClock();
    const spec: CountedAppSpec = { cache: { ttl: 10, now: clock.now }, route: { path: '/long' } };
    const { app } = await countedApp(fw, spec, (x, n) => {
      x.ttl('5m');
      version(x, n);
    });
    await app.http().get('/long').expect('v1');
    clock.advance(200);
    await app.http().get('/long').expect('v1');
    clock.advance(200);
    await app.http().get('/long').expect('v2');
  });

  it('treats the control helpers as no-ops when no fill is active', async () => {
    const app = await fw.build({
      routes: [
        {
          path: '/plain',
          handler: (x: Exchange) => {
            x.tag('t');
            x.skip();
            x.ttl(5);
            x.send('ok');
          },
        },
      ],
    });
    await app.http().get('/plain').expect(200, 'ok');
  });
});

describeMatrix('responseCache invalidation', (fw) => {
  /** Two routes sharing one call counter, so versions number the fills across both. */
  async function build() {
    let calls = 0;
    const handler = (x: Exchange) => version(x, ++calls);
    const app = await fw.build({
      cache: { language: true },
      routes: [
        { path: '/blog/:slug', handler },
        { path: '/other', handler },
      ],
    });
    return { app, calls: () => calls };
  }

  it('invalidatePath removes every variant of a path (query, language) and nothing else', async () => {
    const { app, calls } = await build();
    await app.http().get('/blog/a?page=1');
    await app.http().get('/blog/a?page=2');
    await app.http().get('/blog/a').set('Accept-Language', 'fr');
    await app.http().get('/other');
    assert.equal(calls(), 4);
    await app.appCache?.invalidatePath('/blog/a');
    await app.http().get('/blog/a?page=1').expect('v5');
    await app.http().get('/blog/a?page=2').expect('v6');
    await app.http().get('/blog/a').set('Accept-Language', 'fr').expect('v7');
    await app.http().get('/other').expect('v4');
  });

  it('invalidatePrefix removes every path under a prefix', async () => {
    const { app } = await build();
    await app.http().get('/blog/a');
    await app.http().get('/blog/b');
    await app.http().get('/other');
    await app.appCache?.invalidatePrefix('/blog/');
    await app.http().get('/blog/a').expect('v4');
    await app.http().get('/blog/b').expect('v5');
    await app.http().get('/other').expect('v3');
  });

  it('clear removes every entry', async () => {
    const { app } = await build();
    await app.http().get('/blog/a');
    await app.http().get('/other');
    await app.appCache?.clear();
    await app.http().get('/blog/a').expect('v3');
    await app.http().get('/other').expect('v4');
  });

  it('invalidate removes the entry of a custom key', async () => {
    const spec: CountedAppSpec = {
      cache: { key: (r) => `page:${r.path}` },
      route: { path: '/k' },
    };
    const { app } = await countedApp(fw, spec, version);
    await app.http().get('/k').expect('v1');
    await app.http().get('/k').expect('v1');
    await app.appCache?.invalidate('page:/k');
    await app.http().get('/k').expect('v2');
  });
});

describeMatrix('responseCache nesting and counters', (fw) => {
  /** A route-level instance (fresh 10 s, then stale 60 s) under an app-wide one, on one clock. */
  async function staleRouteUnderApp(path: string, routeOptions: ResponseCacheOptions = {}) {
    const clock = manualClock();
    const cache = { ttl: 10, staleWhileRevalidate: 60, ...routeOptions, now: clock.now };
    const spec: CountedAppSpec = { cache: { now: clock.now }, route: { path, cache } };
    return { clock, ...(await countedApp(fw, spec, version)) };
  }

  it('makes one entry when an app-wide and a route responseCache both apply, with the route options', async () => {
    const store = createMemoryStore();
    const spec: CountedAppSpec = {
      store,
      cache: { ttl: 60 },
      route: { path: '/nested', cache: { query: ['page'] } },
    };
    const { app } = await countedApp(fw, spec, version);
    await app.http().get('/nested?page=1&utm=a').expect('v1');
    // The route's allow-list decides: a different junk parameter is the same entry.
    const hit = await app.http().get('/nested?page=1&utm=b').expect('v1');
    assert.equal(hit.headers['x-cache'], 'HIT');
    assert.equal(store.size, 1);
    assert.equal(app.routeCache('/nested').stats().stored, 1);
    assert.equal(app.appCache?.stats().stored, 0);
    // Standing aside for the route is not a handler's skip: it has its own counter.
    assert.deepEqual(app.appCache?.stats().bypass, { superseded: 2 });
    assert.deepEqual(app.routeCache('/nested').stats().bypass, {});
  });

  it('refreshes a stale route-level entry once in the background under an app-wide instance', async () => {
    const { app, calls, clock } = await staleRouteUnderApp('/nested-swr');
    await app.http().get('/nested-swr').expect('v1');
    clock.advance(20);
    const stale = await app.http().get('/nested-swr').expect('v1');
    assert.equal(stale.headers['x-cache'], 'STALE');
    await until(() => app.routeCache('/nested-swr').stats().stored === 2);
    await app.http().get('/nested-swr').expect('v2');
    assert.equal(calls(), 2);
    // The app-wide instance handed the first request and its own refresh to the route's.
    assert.deepEqual(app.appCache?.stats().bypass, { superseded: 2 });
  });

  it('leaves the refresh of a route-level entry to the route instance when the keys differ', async () => {
    const { app, calls, clock } = await staleRouteUnderApp('/own-swr', { query: ['page'] });
    await app.http().get('/own-swr?page=1&utm=a').expect('v1');
    clock.advance(20);
    await app.http().get('/own-swr?page=1&utm=b').expect('v1');
    await until(() => app.routeCache('/own-swr').stats().stored === 2);
    await app.http().get('/own-swr?page=1&utm=c').expect('v2');
    assert.equal(calls(), 2);
    // Each client request is counted once, by the instance that handled it: the route's.
    const app_ = app.appCache?.stats();
    assert.deepEqual([app_?.misses, app_?.stale, app_?.hits], [0, 0, 0]);
    const route = app.routeCache('/own-swr').stats();
    assert.deepEqual([route.misses, route.stale, route.hits], [1, 1, 1]);
  });

  it('counts each request once across nested instances: a miss, a hit and a bypass', async () => {
    const { app } = await staleRouteUnderApp('/count-once');
    await app.http().get('/count-once').expect('v1');
    await app.http().get('/count-once').expect('v1');
    await app.http().get('/count-once').set('Authorization', 'Bearer x').expect('v2');
    const a = app.appCache?.stats();
    const r = app.routeCache('/count-once').stats();
    assert.ok(a !== undefined);
    // The miss and the bypass went on to the route's instance, which counts them alone; the
    // app-wide instance answered the hit from the entry the route made (same key recipe).
    assert.deepEqual([a.misses, a.hits, a.stale, a.bypass.authorization], [0, 1, 0, undefined]);
    assert.deepEqual([r.misses, r.hits, r.stale, r.bypass.authorization], [1, 0, 0, 1]);
  });

  it('shares the default memory store between instances created without a store', async () => {
    const path = `/shared-${fw.name}-${Date.now()}`;
    const spec: CountedAppSpec = { store: 'default', cache: {}, route: { path, cache: {} } };
    const { app } = await countedApp(fw, spec, version);
    await app.http().get(path).expect('v1');
    await app.http().get(path).expect('v1');
    // The app-wide instance reaches the entry the route made.
    await app.appCache?.invalidatePath(path);
    await app.http().get(path).expect('v2');
  });

  it("does not store a route's response computed while the app-wide instance invalidated it", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const spec: CountedAppSpec = { cache: {}, route: { path: '/fenced', cache: { ttl: 30 } } };
    const { app } = await countedApp(fw, spec, async (x, n) => {
      started = true;
      if (n === 1) await gate;
      version(x, n);
    });
    const first = app
      .http()
      .get('/fenced')
      .then((res) => res);
    await until(() => started);
    await app.appCache?.invalidatePath('/fenced');
    release();
    assert.equal((await first).text, 'v1');
    await app.http().get('/fenced').expect('v2');
    await app.http().get('/fenced').expect('v2');
  });

  it('never serves one app the response another app in the process made for the same path', async () => {
    const path = `/home-${fw.name}-${Date.now()}`;
    const counted = await Promise.all(
      ['public', 'admin'].map((name) =>
        countedApp(fw, { store: 'default', cache: {}, route: { path, cache: { ttl: 60 } } }, (x) =>
          x.send(`${name} home`),
        ),
      ),
    );
    const [publicApp, adminApp] = counted.map((c) => c.app) as [TestApp, TestApp];
    const [publicCalls, adminCalls] = counted.map((c) => c.calls);
    for (let round = 0; round < 2; round++) {
      const pub = await publicApp.http().get(path).expect(200, 'public home');
      const admin = await adminApp.http().get(path).expect(200, 'admin home');
      assert.equal(pub.headers['x-cache'], round === 0 ? 'MISS' : 'HIT');
      assert.equal(admin.headers['x-cache'], round === 0 ? 'MISS' : 'HIT');
    }
    // Each app's admin API reaches its own default store, not the other's.
    await adminApp.appCache?.invalidatePath(path);
    const pub = await publicApp.http().get(path).expect(200, 'public home');
    assert.equal(pub.headers['x-cache'], 'HIT');
    const admin = await adminApp.http().get(path).expect(200, 'admin home');
    assert.equal(admin.headers['x-cache'], 'MISS');
    // Each handler ran once per fill of its own app: the second round hit, the invalidation reached admin only.
    assert.equal(publicCalls?.(), 1);
    assert.equal(adminCalls?.(), 2);
  });

  it('counts hits, misses, stores, 304s and bypasses', async () => {
    const { app } = await countedApp(fw, { cache: {}, route: { path: '/count' } }, (x) =>
      x.send('counted'),
    );
    const first = await app.http().get('/count');
    await app.http().get('/count');
    await app.http().get('/count').set('If-None-Match', String(first.headers.etag)).expect(304);
    await app.http().post('/count');
    const stats = app.appCache?.stats();
    assert.equal(stats?.misses, 1);
    assert.equal(stats?.hits, 2);
    assert.equal(stats?.stored, 1);
    assert.equal(stats?.notModified, 1);
    assert.equal(stats?.bypass.method, 1);
  });
});
