/**
 * The stale-while-revalidate refresh (RFC 5861 §3), one scenario list on every server: the driver
 * of `@larder/http/node` runs it the same way on Express, Koa and node:http.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ResponseCacheOptions } from '@larder/http';
import {
  countedApp,
  describeMatrix,
  type Framework,
  manualClock,
  type Respond,
  until,
} from '../helpers/response-cache-matrix.ts';

/** An app-wide cache (fresh 10 s, then stale 60 s) on a manual clock, around one counted route. */
async function staleApp(
  fw: Framework,
  path: string,
  respond: Respond,
  extra: ResponseCacheOptions = {},
) {
  const clock = manualClock();
  const cache = { ttl: 10, staleWhileRevalidate: 60, now: clock.now, ...extra };
  const made = await countedApp(fw, { cache, route: { path } }, respond);
  return { ...made, clock, stats: () => made.app.appCache?.stats() };
}

describeMatrix('responseCache background refresh', (fw) => {
  it('refreshes with a full GET: the handler sees no validators, the client got a 304 from the stale entry', async () => {
    const seen: (string | undefined)[] = [];
    const { app, calls, clock, stats } = await staleApp(fw, '/cond', (x, n) => {
      seen.push(x.header('if-none-match'));
      x.send(`version ${n}`);
    });
    const first = await app.http().get('/cond').expect('version 1');
    clock.advance(20);
    const tag = String(first.headers.etag);
    const stale = await app.http().get('/cond').set('If-None-Match', tag).expect(304);
    assert.equal(stale.headers['x-cache'], 'STALE');
    await until(() => stats()?.stored === 2);
    await app.http().get('/cond').expect('version 2');
    assert.deepEqual(seen, [undefined, undefined]);
    assert.equal(calls(), 2);
  });

  it('lends the handler its control during the refresh: the tags it sets reach the new entry', async () => {
    const { app, clock, stats } = await staleApp(fw, '/tags', (x, n) => {
      x.tag(`gen-${n}`);
      x.send(`version ${n}`);
    });
    await app.http().get('/tags').expect('version 1');
    clock.advance(20);
    await app.http().get('/tags').expect('version 1');
    await until(() => stats()?.stored === 2);
    await app.http().get('/tags').expect('version 2');
    await app.appCache?.invalidateTags(['gen-2']);
    await app.http().get('/tags').expect('version 3');
  });

  it('keeps serving the stale entry when the handler skips storing its refresh', async () => {
    const { app, calls, clock } = await staleApp(fw, '/skip', (x, n) => {
      if (n > 1) x.skip();
      x.send(`version ${n}`);
    });
    await app.http().get('/skip').expect('version 1');
    clock.advance(20);
    await app.http().get('/skip').expect('version 1');
    await until(() => calls() === 2);
    const again = await app.http().get('/skip').expect('version 1');
    assert.equal(again.headers['x-cache'], 'STALE');
  });

  it('abandons a refresh larger than maxBodySize and keeps the stale entry', async () => {
    const { app, calls, clock, stats } = await staleApp(
      fw,
      '/big',
      (x, n) => x.send(n === 1 ? 'small' : 'x'.repeat(4096)),
      { maxBodySize: 1024 },
    );
    await app.http().get('/big').expect('small');
    clock.advance(20);
    await app.http().get('/big').expect('small');
    await until(() => stats()?.bypass['too-large'] === 1);
    const again = await app.http().get('/big').expect('small');
    assert.equal(again.headers['x-cache'], 'STALE');
    assert.equal(stats()?.stored, 1);
    assert.ok(calls() >= 2);
  });

  it('stores a refresh the handler writes in chunks', async () => {
    const { app, clock, stats } = await staleApp(fw, '/chunks', (x, n) => {
      x.set('Content-Type', 'text/plain; charset=utf-8');
      return x.chunks([`version `, `${n}`]);
    });
    await app.http().get('/chunks').expect('version 1');
    clock.advance(20);
    await app.http().get('/chunks').expect('version 1');
    await until(() => stats()?.stored === 2);
    const fresh = await app.http().get('/chunks').expect('version 2');
    assert.equal(fresh.headers['x-cache'], 'HIT');
  });

  it('does not refresh on a HEAD: the stale entry answers and the handler is not run', async () => {
    const { app, calls, clock } = await staleApp(fw, '/head', (x, n) => x.send(`version ${n}`));
    await app.http().get('/head').expect('version 1');
    clock.advance(20);
    const head = await app.http().head('/head').expect(200);
    assert.equal(head.headers['x-cache'], 'STALE');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(calls(), 1);
  });

  it('counts client requests only: the refresh itself is neither a hit nor a miss', async () => {
    const { app, clock, stats } = await staleApp(fw, '/count', (x, n) => x.send(`version ${n}`));
    await app.http().get('/count').expect('version 1');
    clock.advance(20);
    await app.http().get('/count').expect('version 1');
    await until(() => stats()?.stored === 2);
    await app.http().get('/count').expect('version 2');
    const s = stats();
    assert.deepEqual([s?.misses, s?.stale, s?.hits], [1, 1, 1]);
  });

  it('refreshes a route-level entry under an app-wide instance once, counted once', async () => {
    const clock = manualClock();
    const route = { path: '/nested', cache: { ttl: 10, staleWhileRevalidate: 60, now: clock.now } };
    const { app, calls } = await countedApp(
      fw,
      { cache: { query: false, now: clock.now }, route },
      (x, n) => x.send(`version ${n}`),
    );
    await app.http().get('/nested?a=1').expect('version 1');
    clock.advance(20);
    await app.http().get('/nested?a=1').expect('version 1');
    const routeStats = () => app.routeCache('/nested').stats();
    await until(() => routeStats().stored === 2);
    await app.http().get('/nested?a=1').expect('version 2');
    assert.equal(calls(), 2);
    const a = app.appCache?.stats();
    const r = routeStats();
    // Every client request is counted by exactly one of the two instances.
    const total = (s: typeof r | undefined) => (s ? s.misses + s.stale + s.hits : 0);
    assert.equal(total(a) + total(r), 3);
  });
});
