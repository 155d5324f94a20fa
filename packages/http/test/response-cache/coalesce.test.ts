import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CacheRequest, CapturedResponse, Decision } from '@larder/http';
import { engineWith, get, ok, run } from './helpers.ts';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const ticks = () => new Promise((resolve) => setImmediate(resolve));

async function fillOf(decision: Decision | Promise<Decision>) {
  const d = await decision;
  assert.equal(d.kind, 'fill');
  return d.kind === 'fill' ? d.fill : assert.fail('not a fill');
}

describe('coalescing concurrent misses', () => {
  test('runs the handler exactly once for 200 concurrent requests for one cold key', async () => {
    const { engine } = engineWith();
    const gate = deferred();
    let calls = 0;
    const handler = async (_r: CacheRequest): Promise<CapturedResponse> => {
      calls += 1;
      await gate.promise;
      return ok('shared');
    };
    const all = Array.from({ length: 200 }, () => run(engine, get('/hot'), handler));
    await ticks();
    gate.resolve();
    const outcomes = await Promise.all(all);
    assert.equal(calls, 1);
    assert.equal(outcomes.filter((o) => o.decision === 'fill').length, 1);
    for (const o of outcomes) assert.deepEqual(o.reply.body, Buffer.from('shared'));
    const hits = outcomes.filter((o) => o.reply.headers['x-cache'] === 'HIT');
    assert.equal(hits.length, 199);
    const stats = engine.stats();
    assert.equal(stats.coalesced, 199);
    assert.equal(stats.misses, 1);
  });

  test('gives each waiter its own reply: a conditional waiter gets 304, a HEAD waiter no body', async () => {
    const { engine } = engineWith();
    const leader = await fillOf(engine.handle(get('/a')));
    const conditional = engine.handle(get('/a', { 'if-none-match': '"v1"' }));
    const headWaiter = engine.handle({ ...get('/a'), method: 'HEAD' });
    await ticks();
    await leader.complete(ok('x', { etag: '"v1"' }));
    const c = await conditional;
    const h = await headWaiter;
    assert.equal(c.kind === 'serve' && c.reply.status, 304);
    assert.equal(h.kind === 'serve' && h.reply.body, undefined);
  });

  for (const [name, end] of [
    [
      'is not storable',
      (f: Awaited<ReturnType<typeof fillOf>>) => f.complete(ok('x', { 'set-cookie': 'sid=1' })),
    ],
    ['is abandoned', (f: Awaited<ReturnType<typeof fillOf>>) => f.abandon('too-large')],
    ['throws', (f: Awaited<ReturnType<typeof fillOf>>) => f.fail(new Error('boom'))],
    [
      'is skipped by the handler',
      (f: Awaited<ReturnType<typeof fillOf>>) => {
        f.control.skip();
        return f.complete(ok('x'));
      },
    ],
  ] as const) {
    test(`sends waiters to run the handler themselves when the leader's response ${name}`, async () => {
      const { engine } = engineWith();
      const leader = await fillOf(engine.handle(get('/a')));
      const waiters = [engine.handle(get('/a')), engine.handle(get('/a'))];
      await ticks();
      await end(leader);
      for (const waiter of waiters) assert.equal((await waiter).kind, 'fill');
      assert.equal(engine.stats().coalesced, 0);
    });
  }

  test('lets a waiter run the handler itself after coalesceTimeout', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { engine } = engineWith({ coalesceTimeout: '2s' });
    await fillOf(engine.handle(get('/a')));
    let settled: Decision | undefined;
    const waiter = Promise.resolve(engine.handle(get('/a'))).then((d) => {
      settled = d;
      return d;
    });
    await ticks();
    t.mock.timers.tick(1999);
    await ticks();
    assert.equal(settled, undefined);
    t.mock.timers.tick(1);
    assert.equal((await waiter).kind, 'fill');
  });

  test('lets a new request lead when the leader never reported back within coalesceTimeout', async () => {
    const { engine, time } = engineWith({ coalesceTimeout: 5 });
    await fillOf(engine.handle(get('/a')));
    time.advance(6);
    const next = await fillOf(engine.handle(get('/a')));
    const waiter = engine.handle(get('/a'));
    await ticks();
    await next.complete(ok('fresh'));
    const w = await waiter;
    assert.equal(w.kind === 'serve' && w.reply.body?.toString(), 'fresh');
  });

  test('remembers an uncacheable key briefly, so its requests run in parallel instead of queueing', async () => {
    const { engine } = engineWith();
    await (await fillOf(engine.handle(get('/a')))).complete(
      ok('x', { 'cache-control': 'no-store' }),
    );
    const a = await fillOf(engine.handle(get('/a')));
    const b = await engine.handle(get('/a'));
    assert.equal(b.kind, 'fill');
    // Once the response becomes storable again, it is stored and served.
    await a.complete(ok('y'));
    const c = await engine.handle(get('/a'));
    assert.equal(c.kind === 'serve' && c.reply.body?.toString(), 'y');
  });

  test('serves late arrivals from the leader entry while its store write is still settling', async () => {
    const values = new Map<string, unknown>();
    const written = deferred();
    const store = {
      get: async (key: string) => values.get(key),
      set: async (key: string, value: unknown) => {
        await written.promise;
        values.set(key, value);
      },
      delete: async (key: string) => values.delete(key),
    };
    const { engine, time } = engineWith({ store, ttl: 60 });
    const leader = await fillOf(engine.handle(get('/a')));
    await leader.complete(ok('x'));
    const late = await engine.handle(get('/a'));
    assert.equal(late.kind, 'serve');
    time.advance(61);
    assert.equal((await engine.handle(get('/a'))).kind, 'fill', 'not once it has expired');
    written.resolve();
    await ticks();
    assert.equal(values.size, 1);
  });

  test('ignores a second complete after the fill settled', async () => {
    const { engine } = engineWith();
    const fill = await fillOf(engine.handle(get('/a')));
    await fill.complete(ok('first'));
    const again = await fill.complete(ok('second'));
    assert.equal(again.headers['x-cache'], 'BYPASS');
    const hit = await run(engine, get('/a'), () => ok('third'));
    assert.equal(hit.reply.body?.toString(), 'first');
    assert.equal(engine.stats().stored, 1);
  });
});
