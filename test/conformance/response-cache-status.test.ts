/**
 * Every response the middleware touches says why, in RFC 9211 `Cache-Status` beside `X-Cache`;
 * both names are options and either can be switched off; `onBypass` tells code the same reasons.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { responseCache as expressCache } from '@larder/express';
import type { BypassReason } from '@larder/http';
import { responseCache as koaCache } from '@larder/koa';
import { countedApp, describeMatrix, manualClock } from '../helpers/response-cache-matrix.ts';

describeMatrix('responseCache Cache-Status (RFC 9211)', (fw) => {
  it('says fwd=uri-miss; stored on the fill, then hit with the remaining ttl', async () => {
    const clock = manualClock();
    const { app } = await countedApp(
      fw,
      { cache: { ttl: 60, now: clock.now }, route: { path: '/a' } },
      (x, n) => x.send(`call ${n}`),
    );
    const miss = await app.http().get('/a');
    assert.equal(miss.headers['cache-status'], 'Larder; fwd=uri-miss; stored');
    assert.equal(miss.headers['x-cache'], 'MISS');
    clock.advance(18);
    const hit = await app.http().get('/a');
    assert.equal(hit.headers['cache-status'], 'Larder; hit; ttl=42');
    assert.equal(hit.headers['x-cache'], 'HIT');
  });

  it('says fwd=stale; stored when an expired entry is filled again, and hit with a negative ttl while served stale', async () => {
    const clock = manualClock();
    const { app, calls } = await countedApp(
      fw,
      { cache: { ttl: 10, staleWhileRevalidate: 30, now: clock.now }, route: { path: '/a' } },
      (x, n) => x.send(`call ${n}`),
    );
    await app.http().get('/a');
    clock.advance(15);
    const stale = await app.http().get('/a');
    assert.equal(stale.headers['x-cache'], 'STALE');
    assert.equal(stale.headers['cache-status'], 'Larder; hit; ttl=-5');
    await waitFor(() => calls() === 2);
    clock.advance(100);
    const refetched = await app.http().get('/a');
    assert.equal(refetched.headers['cache-status'], 'Larder; fwd=stale; stored');
  });

  const bypasses: readonly (readonly [string, Record<string, string>, string])[] = [
    ['a request with Authorization', { Authorization: 'Bearer t' }, 'authorization'],
    ['a request with Cookie', { Cookie: 'sid=1' }, 'cookie'],
    ['a Range request', { Range: 'bytes=0-1' }, 'range'],
  ];
  for (const [what, headers, reason] of bypasses) {
    it(`says fwd=bypass; detail=${reason} for ${what}, and tells onBypass`, async () => {
      const seen: [BypassReason, string][] = [];
      const onBypass = (r: BypassReason, req: { path: string }) => seen.push([r, req.path]);
      const { app } = await countedApp(fw, { cache: { onBypass }, route: { path: '/a' } }, (x) =>
        x.send('page'),
      );
      const res = await app.http().get('/a').set(headers);
      assert.equal(res.headers['cache-status'], `Larder; fwd=bypass; detail=${reason}`);
      assert.equal(res.headers['x-cache'], 'BYPASS');
      assert.deepEqual(seen, [[reason, '/a']]);
    });
  }

  it('says detail=set-cookie when the handler sets a cookie, and tells onBypass after the fill', async () => {
    const seen: BypassReason[] = [];
    const { app, calls } = await countedApp(
      fw,
      { cache: { onBypass: (r) => seen.push(r) }, route: { path: '/a' } },
      (x) => {
        x.set('Set-Cookie', 'sid=abc');
        x.send('page');
      },
    );
    const res = await app.http().get('/a');
    assert.equal(res.headers['cache-status'], 'Larder; fwd=uri-miss; detail=set-cookie');
    assert.equal(res.headers['x-cache'], 'BYPASS');
    assert.deepEqual(seen, ['set-cookie']);
    await app.http().get('/a');
    assert.equal(calls(), 2);
  });

  it('keeps serving when onBypass throws', async () => {
    const onBypass = () => {
      throw new Error('hook failed');
    };
    const { app } = await countedApp(fw, { cache: { onBypass }, route: { path: '/a' } }, (x) =>
      x.send('page'),
    );
    const res = await app.http().get('/a').set('Authorization', 'Bearer t');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'page');
  });

  it('renames both headers, or sends neither, as the options say', async () => {
    const renamed = await countedApp(
      fw,
      {
        cache: { statusHeader: 'X-Larder', cacheStatusHeader: 'X-Cache-Status' },
        route: { path: '/a' },
      },
      (x) => x.send('page'),
    );
    const a = await renamed.app.http().get('/a');
    assert.equal(a.headers['x-larder'], 'MISS');
    assert.equal(a.headers['x-cache-status'], 'Larder; fwd=uri-miss; stored');
    assert.equal(a.headers['cache-status'], undefined);
    assert.equal(a.headers['x-cache'], undefined);
    const b = await renamed.app.http().get('/a');
    assert.equal(b.headers['x-larder'], 'HIT');
    assert.match(String(b.headers['x-cache-status']), /^Larder; hit; ttl=\d+$/);
    const silent = await countedApp(
      fw,
      { cache: { statusHeader: false, cacheStatusHeader: false }, route: { path: '/a' } },
      (x) => x.send('page'),
    );
    for (let i = 0; i < 2; i++) {
      const res = await silent.app.http().get('/a');
      assert.equal(res.headers['x-cache'], undefined);
      assert.equal(res.headers['cache-status'], undefined);
    }
    assert.equal(silent.calls(), 1);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(condition(), 'condition reached');
}

for (const [name, responseCache] of [
  ['express', expressCache],
  ['koa', koaCache],
] as const) {
  it(`rejects bad status header options at setup [${name}]`, () => {
    for (const [options, pattern] of [
      [{ cacheStatusHeader: 'bad name' }, /cacheStatusHeader.*"bad name"/],
      [{ cacheStatusHeader: 42 }, /cacheStatusHeader.*42/],
      [{ cacheStatusHeader: true }, /cacheStatusHeader.*true/],
      [{ statusHeader: 'Cache-Status' }, /statusHeader.*cacheStatusHeader.*must differ/],
      [{ onBypass: 'log' }, /onBypass.*function/],
    ] as const) {
      assert.throws(
        () => responseCache(options as never),
        (error: Error) => error instanceof TypeError && pattern.test(error.message),
        JSON.stringify(options),
      );
    }
  });
}
