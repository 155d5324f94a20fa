import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { counted, engineWith, get, ok, run } from './helpers.ts';

describe('handler-level control (Fill.control)', () => {
  test('skip() sends the response without storing it', async () => {
    const { engine } = engineWith();
    const h = counted();
    await run(engine, get('/a'), (r, fill) => {
      fill?.control.skip();
      return h(r);
    });
    await run(engine, get('/a'), h);
    assert.equal(h.calls, 2);
    assert.deepEqual(engine.stats().bypass, { skipped: 1 });
  });

  test('ttl() stores the response for another duration than the route ttl', async () => {
    const { engine, time } = engineWith({ ttl: 60 });
    const h = counted();
    await run(engine, get('/short'), (r, fill) => {
      fill?.control.ttl('5s');
      return h(r);
    });
    time.advance(6);
    await run(engine, get('/short'), h);
    assert.equal(h.calls, 2);
  });

  test('ttl() rejects a bad duration, naming the call and the value', async () => {
    const { engine } = engineWith();
    const d = await engine.handle(get('/a'));
    assert.ok(d.kind === 'fill');
    assert.throws(() => d.fill.control.ttl('soonish'), /control\.ttl\(\).*soonish/);
    assert.throws(() => d.fill.control.tag(''), TypeError);
  });

  test('tag() adds tags that invalidateTags finds, beside the route tags', async () => {
    const { engine } = engineWith({ tags: (r) => [`path:${r.path}`] });
    const h = counted();
    await run(engine, get('/post/1'), (r, fill) => {
      fill?.control.tag('post:1', 'posts');
      return h(r);
    });
    await run(engine, get('/post/2'), (r, fill) => {
      fill?.control.tag('post:2', 'posts');
      return h(r);
    });
    await engine.invalidateTags(['post:1']);
    await run(engine, get('/post/1'), h);
    await run(engine, get('/post/2'), h);
    assert.equal(h.calls, 3);
    await engine.invalidateTags(['path:/post/2']);
    await run(engine, get('/post/2'), h);
    assert.equal(h.calls, 4);
  });
});

describe('route tags', () => {
  test('a throwing tags function fails the fill with its error and frees the waiters', async () => {
    const { engine } = engineWith({
      tags: () => {
        throw new Error('tags broke');
      },
    });
    const leader = await engine.handle(get('/a'));
    assert.ok(leader.kind === 'fill');
    const waiter = engine.handle(get('/a'));
    await new Promise((resolve) => setImmediate(resolve));
    await assert.rejects(leader.fill.complete(ok('x')), /tags broke/);
    assert.equal((await waiter).kind, 'fill');
  });

  test('a tags function returning something else than strings is reported naming the option', async () => {
    const { engine } = engineWith({ tags: () => [1] as unknown as string[] });
    const leader = await engine.handle(get('/a'));
    assert.ok(leader.kind === 'fill');
    await assert.rejects(leader.fill.complete(ok('x')), /responseCache: option "tags"/);
  });
});
