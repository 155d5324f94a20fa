import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  countedApp,
  describeMatrix,
  type Exchange,
  type Framework,
  manualClock,
  until,
} from '../helpers/response-cache-matrix.ts';

/**
 * An app whose one route the test can switch to failing, behind a responseCache that keeps entries
 * for 10 s and may serve them stale for 60 s more on error, on a manual clock.
 */
async function switchableOrigin(
  fw: Framework,
  path: string,
  respond: (x: Exchange, failing: boolean) => void,
) {
  const clock = manualClock();
  let failing = false;
  const spec = { cache: { ttl: 10, staleIfError: 60, now: clock.now }, route: { path } };
  const { app } = await countedApp(fw, spec, (x) => respond(x, failing));
  return {
    app,
    clock,
    fail: () => {
      failing = true;
    },
  };
}

describeMatrix('responseCache concurrency and stale serving', (fw) => {
  it('runs the handler once for 200 concurrent cold requests and answers all of them', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { app, calls } = await countedApp(
      fw,
      { cache: {}, route: { path: '/herd' } },
      async (x) => {
        await gate;
        x.json({ value: 'shared', calls: calls() });
      },
    );
    const pending = Array.from({ length: 200 }, () => app.http().get('/herd'));
    const responses = Promise.all(pending.map((r) => r.then((res) => res)));
    // Hold the leader until every other request is queued behind it (or has been answered).
    await until(() => app.requests() === 200 && calls() > 0, 5000);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const all = await responses;
    assert.equal(calls(), 1);
    for (const res of all) {
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { value: 'shared', calls: 1 });
    }
    const stats = app.appCache?.stats();
    assert.equal(stats?.misses, 1);
    assert.equal(stats?.coalesced, 199);
  });

  it('serves a stale entry at once within staleWhileRevalidate and refreshes it exactly once', async () => {
    const clock = manualClock();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const spec = {
      cache: { ttl: 10, staleWhileRevalidate: 60, now: clock.now },
      route: { path: '/swr' },
    };
    const { app, calls } = await countedApp(fw, spec, async (x, n) => {
      if (n > 1) await gate; // the refresh waits while clients keep getting the stale entry
      x.send(`version ${n}`);
    });
    await app.http().get('/swr').expect('version 1');
    clock.advance(20);
    const stale = await Promise.all(Array.from({ length: 5 }, () => app.http().get('/swr')));
    release();
    for (const res of stale) {
      assert.equal(res.text, 'version 1');
      assert.equal(res.headers['x-cache'], 'STALE');
      assert.equal(res.headers.age, '20');
    }
    await until(() => calls() === 2);
    await until(() => (app.appCache?.stats().stored ?? 0) === 2);
    const fresh = await app.http().get('/swr').expect('version 2');
    assert.equal(fresh.headers['x-cache'], 'HIT');
    assert.equal(calls(), 2);
  });

  it('keeps the stale entry when the background refresh fails', async () => {
    const clock = manualClock();
    const spec = {
      cache: { ttl: 10, staleWhileRevalidate: 60, now: clock.now },
      route: { path: '/swr-fail' },
    };
    const { app, calls } = await countedApp(fw, spec, (x, n) => {
      if (n > 1) x.fail('origin down');
      x.send('good');
    });
    await app.http().get('/swr-fail').expect('good');
    clock.advance(20);
    await app.http().get('/swr-fail').expect('good');
    await until(() => calls() === 2);
    const after = await app.http().get('/swr-fail').expect(200, 'good');
    assert.equal(after.headers['x-cache'], 'STALE');
  });

  it('serves the stale entry within staleIfError when the handler throws', async () => {
    const { app, clock, fail } = await switchableOrigin(fw, '/sie', (x, failing) => {
      if (failing) x.fail('database gone');
      x.send('last good');
    });
    await app.http().get('/sie').expect(200, 'last good');
    fail();
    clock.advance(20);
    const stale = await app.http().get('/sie').expect(200, 'last good');
    assert.equal(stale.headers['x-cache'], 'STALE');
    clock.advance(60);
    await app.http().get('/sie').expect(500);
  });

  it('serves the stale entry within staleIfError when the handler answers 503', async () => {
    const { app, clock, fail } = await switchableOrigin(fw, '/sie503', (x, failing) => {
      if (failing) x.status(503);
      x.send(failing ? 'busy' : 'last good');
    });
    await app.http().get('/sie503').expect(200, 'last good');
    fail();
    clock.advance(20);
    await app.http().get('/sie503').expect(200, 'last good');
  });

  it('lets the error through without a stale entry', async () => {
    const app = await fw.build({
      cache: { staleIfError: 60 },
      routes: [{ path: '/boom', handler: (x) => x.fail('no luck') }],
    });
    await app.http().get('/boom').expect(500);
    await app.http().get('/boom').expect(500);
  });
});
