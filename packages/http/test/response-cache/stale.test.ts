import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Decision, ResponseCacheOptions } from '@larder/http';
import { counted, engineWith, get, ok, run } from './helpers.ts';

const ticks = () => new Promise((resolve) => setImmediate(resolve));

/** An engine with `options` holding an entry for `/a` (body `v1`), its clock moved `seconds` on. */
async function storedThen(
  options: ResponseCacheOptions,
  seconds: number,
  headers: Record<string, string> = {},
) {
  const made = engineWith(options);
  await run(
    made.engine,
    get('/a'),
    counted(() => ok('v1', headers)),
  );
  made.time.advance(seconds);
  return made;
}

describe('stale-while-revalidate', () => {
  test('serves a stale entry at once with a refresh, and runs exactly one refresh per key', async () => {
    const { engine } = await storedThen({ ttl: 10, staleWhileRevalidate: 30 }, 15);
    const decisions: Decision[] = [];
    for (let i = 0; i < 5; i++) decisions.push(await engine.handle(get('/a')));
    const refreshes = decisions.filter((d) => d.kind === 'serve' && d.refresh !== undefined);
    assert.equal(refreshes.length, 1);
    for (const d of decisions) {
      assert.equal(d.kind, 'serve');
      if (d.kind !== 'serve') continue;
      assert.equal(d.reply.headers['x-cache'], 'STALE');
      assert.equal(d.reply.headers.age, '15');
      assert.equal(d.reply.body?.toString(), 'v1');
    }
    const first = refreshes[0];
    assert.ok(first?.kind === 'serve' && first.refresh);
    await first.refresh.complete(ok('v2'));
    const fresh = await engine.handle(get('/a'));
    assert.equal(fresh.kind === 'serve' && fresh.reply.body?.toString(), 'v2');
    assert.equal(fresh.kind === 'serve' && fresh.reply.headers['x-cache'], 'HIT');
    assert.equal(engine.stats().stale, 5);
  });

  test('keeps serving the stale entry when the refresh fails, then allows another refresh', async () => {
    const { engine } = await storedThen({ ttl: 10, staleWhileRevalidate: 30 }, 15);
    const d1 = await engine.handle(get('/a'));
    assert.ok(d1.kind === 'serve' && d1.refresh);
    await d1.refresh.complete(ok('oops', {}, 500));
    const d2 = await engine.handle(get('/a'));
    assert.ok(d2.kind === 'serve' && d2.refresh, 'a new refresh after the failed one');
    assert.equal(d2.reply.body?.toString(), 'v1');
  });

  test('stops serving stale once the window has passed', async () => {
    const { engine } = await storedThen({ ttl: 10, staleWhileRevalidate: 5 }, 16);
    assert.equal((await engine.handle(get('/a'))).kind, 'fill');
  });

  test('does not start a refresh from a HEAD request', async () => {
    const { engine } = await storedThen({ ttl: 10, staleWhileRevalidate: 30 }, 15);
    const d = await engine.handle({ ...get('/a'), method: 'HEAD' });
    assert.ok(d.kind === 'serve' && d.refresh === undefined && d.reply.body === undefined);
  });
});

describe('stale-if-error', () => {
  test('replaces a handler error within the window with the stale entry (Fill.fail)', async () => {
    const { engine } = await storedThen({ ttl: 10, staleIfError: 60 }, 30);
    const { decision, reply } = await run(engine, get('/a'), () => {
      throw new Error('database down');
    });
    assert.equal(decision, 'fill');
    assert.equal(reply.status, 200);
    assert.equal(reply.body?.toString(), 'v1');
    assert.equal(reply.headers['x-cache'], 'STALE');
    assert.equal(reply.headers.age, '30');
    assert.equal(engine.stats().stale, 1);
  });

  test('replaces a 5xx within the window with the stale entry (Fill.complete)', async () => {
    const { engine } = await storedThen({ ttl: 10, staleIfError: 60 }, 30);
    const { reply } = await run(
      engine,
      get('/a'),
      counted(() => ok('bad gateway', {}, 502)),
    );
    assert.equal(reply.status, 200);
    assert.equal(reply.body?.toString(), 'v1');
  });

  test('lets the error through after the window', async () => {
    const { engine } = await storedThen({ ttl: 10, staleIfError: 60 }, 71);
    await assert.rejects(
      run(engine, get('/a'), () => {
        throw new Error('database down');
      }),
      /database down/,
    );
    const { reply } = await run(
      engine,
      get('/a'),
      counted(() => ok('oops', {}, 503)),
    );
    assert.equal(reply.status, 503);
    assert.equal(reply.headers['x-cache'], 'BYPASS');
  });

  test('lets the error through when no stale-if-error window is configured', async () => {
    const { engine } = await storedThen({ ttl: 10 }, 11);
    const fill = await engine.handle(get('/a'));
    assert.ok(fill.kind === 'fill');
    assert.equal(await fill.fill.fail(new Error('x')), undefined);
  });

  test('replaces a failed waiter-less refresh nowhere: the stale entry simply stays', async () => {
    const { engine } = await storedThen(
      { ttl: 10, staleWhileRevalidate: 30, staleIfError: 60 },
      15,
    );
    const d = await engine.handle(get('/a'));
    assert.ok(d.kind === 'serve' && d.refresh);
    await d.refresh.fail(new Error('x'));
    await ticks();
    const again = await engine.handle(get('/a'));
    assert.equal(again.kind === 'serve' && again.reply.body?.toString(), 'v1');
  });
});

describe('responses that forbid stale serving (RFC 9111 §4.2.4)', () => {
  for (const directive of ['must-revalidate', 'proxy-revalidate']) {
    test(`never serves a response with ${directive} stale, neither while revalidating nor on error`, async () => {
      const { engine } = await storedThen(
        { ttl: 10, staleWhileRevalidate: 30, staleIfError: 60 },
        15,
        { 'cache-control': `max-age=10, ${directive}` },
      );
      const d = await engine.handle(get('/a'));
      assert.equal(d.kind, 'fill');
      assert.ok(d.kind === 'fill');
      assert.equal(await d.fill.fail(new Error('down')), undefined);
    });
  }
});
