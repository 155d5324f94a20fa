import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore } from '@larder/core';
import {
  createResponseCache,
  type ResponseCacheEngine,
  type ResponseCacheOptions,
} from '@larder/http';
import { clock, counted, engineWith, get, ok, run } from './helpers.ts';

/** Whether a request is served from the cache (without running the handler). */
async function cached(
  engine: ResponseCacheEngine,
  request: ReturnType<typeof get>,
): Promise<boolean> {
  const h = counted();
  await run(engine, request, h);
  return h.calls === 0;
}

async function warm(engine: ResponseCacheEngine, ...requests: ReturnType<typeof get>[]) {
  for (const request of requests)
    await run(
      engine,
      request,
      counted(() => ok('x')),
    );
}

describe('invalidation', () => {
  test('invalidatePath removes every variant of the path: query, language, host, header, HEAD', async () => {
    const { engine } = engineWith({ language: true, host: true, headers: ['x-tenant'] });
    const variants = [
      get('/news', {}, { host: 'a.example' }),
      get('/news?page=2', {}, { host: 'a.example' }),
      get('/news', { 'accept-language': 'fr' }, { host: 'a.example' }),
      get('/news', {}, { host: 'b.example' }),
      get('/news', { 'x-tenant': 't1' }, { host: 'a.example' }),
    ];
    const others = [
      get('/news/1', {}, { host: 'a.example' }),
      get('/newsroom', {}, { host: 'a.example' }),
    ];
    await warm(engine, ...variants, ...others);
    for (const r of [...variants, ...others]) assert.ok(await cached(engine, r));
    await engine.invalidatePath('/news');
    for (const r of variants) assert.equal(await cached(engine, r), false, `${r.path}?${r.query}`);
    assert.equal(
      await cached(engine, { ...variants[0]!, method: 'HEAD' }),
      true,
      'refilled by the GET above',
    );
    for (const r of others) assert.ok(await cached(engine, r), r.path);
  });

  test('invalidate removes one path-and-query in any parameter order, every other variant kept', async () => {
    const { engine } = engineWith({ language: true });
    await warm(
      engine,
      get('/list?b=2&a=1'),
      get('/list?a=1&b=2', { 'accept-language': 'de' }),
      get('/list?a=2'),
    );
    await engine.invalidate('/list?a=1&b=2');
    assert.equal(await cached(engine, get('/list?a=1&b=2')), false);
    assert.equal(await cached(engine, get('/list?b=2&a=1', { 'accept-language': 'de' })), false);
    assert.ok(await cached(engine, get('/list?a=2')));
  });

  test('invalidate removes the entries made under a custom key', async () => {
    const { engine } = engineWith({ key: (r) => `user-list:${r.query}` });
    await warm(engine, get('/u?x'), get('/u?y'));
    await engine.invalidate('user-list:x');
    assert.equal(await cached(engine, get('/u?x')), false);
    assert.ok(await cached(engine, get('/u?y')));
  });

  test('invalidatePrefix removes every path under the prefix', async () => {
    const { engine } = engineWith();
    await warm(engine, get('/api/a'), get('/api/b?x=1'), get('/apix'), get('/other'));
    await engine.invalidatePrefix('/api/');
    assert.equal(await cached(engine, get('/api/a')), false);
    assert.equal(await cached(engine, get('/api/b?x=1')), false);
    assert.ok(await cached(engine, get('/apix')));
    assert.ok(await cached(engine, get('/other')));
  });

  test('invalidatePath treats glob characters in the path literally', async () => {
    const { engine } = engineWith();
    await warm(engine, get('/a*'), get('/ab'), get('/a\\[x'));
    await engine.invalidatePath('/a*');
    await engine.invalidatePath('/a\\[x');
    assert.equal(await cached(engine, get('/a*')), false);
    assert.equal(await cached(engine, get('/a\\[x')), false);
    assert.ok(await cached(engine, get('/ab')));
  });

  test('clear removes everything this cache made and nothing under another prefix', async () => {
    const store = createMemoryStore();
    const { engine } = engineWith({ store });
    const { engine: other } = engineWith({ store, prefix: 'other:' });
    await warm(engine, get('/a'), get('/b'));
    await warm(other, get('/a'));
    await engine.clear();
    assert.equal(await cached(engine, get('/a')), false);
    assert.equal(await cached(engine, get('/b')), false);
    assert.ok(await cached(other, get('/a')));
  });

  test('works across processes sharing a store: one engine invalidates what another stored', async () => {
    const store = createMemoryStore();
    const time = clock();
    const options: ResponseCacheOptions = { store, now: time.now };
    const writer = createResponseCache(options);
    const reader = createResponseCache(options);
    const tagged = (tag: string) => (_r: unknown, fill?: import('@larder/http').Fill) => {
      fill?.control.tag(tag);
      return ok(tag);
    };
    await run(writer, get('/p/1'), tagged('post:1'));
    await run(writer, get('/p/2'), tagged('post:2'));
    await run(writer, get('/q'), tagged('q'));
    assert.ok(await cached(reader, get('/p/1')));
    await reader.invalidateTags(['post:1']);
    assert.equal(await cached(writer, get('/p/1')), false);
    assert.ok(await cached(writer, get('/p/2')));
    await reader.invalidatePath('/q');
    assert.equal(await cached(writer, get('/q')), false);
  });

  test('drops an entry being shared in-process so late arrivals cannot get the invalidated one', async () => {
    const values = new Map<string, unknown>();
    let release: () => void = () => {};
    const store = {
      get: async (key: string) => values.get(key),
      set: (key: string, value: unknown) =>
        new Promise<void>((resolve) => {
          release = () => {
            values.set(key, value);
            resolve();
          };
        }),
      delete: async (key: string) => values.delete(key),
      clear: async (prefix?: string) => {
        for (const key of [...values.keys()]) if (key.startsWith(prefix ?? '')) values.delete(key);
      },
    };
    const { engine } = engineWith({ store });
    const d = await engine.handle(get('/a'));
    assert.ok(d.kind === 'fill');
    await d.fill.complete(ok('old'));
    await engine.invalidatePath('/a');
    assert.equal((await engine.handle(get('/a'))).kind, 'fill');
    release();
  });

  for (const [name, invalidate] of [
    ['invalidatePath', (e: ResponseCacheEngine) => e.invalidatePath('/a')],
    ['invalidateTags', (e: ResponseCacheEngine) => e.invalidateTags(['t'])],
    ['clear', (e: ResponseCacheEngine) => e.clear()],
  ] as const) {
    test(`does not store a response whose handler ran while ${name} was called`, async () => {
      const { engine } = engineWith({ tags: ['t'] });
      const d = await engine.handle(get('/a'));
      assert.ok(d.kind === 'fill');
      await invalidate(engine);
      const reply = await d.fill.complete(ok('computed before the invalidation'));
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['x-cache'], 'MISS');
      assert.equal((await engine.handle(get('/a'))).kind, 'fill');
    });
  }

  test('does not store a response whose handler ran while another cache on the same store invalidated', async () => {
    // An app-wide and a route-level instance of one app share its default store.
    const app = {};
    const outer = createResponseCache({ tags: ['t'] });
    const inner = createResponseCache({ ttl: 30 });
    const d = await inner.handle(get('/a', {}, { scope: app }));
    assert.ok(d.kind === 'fill');
    await outer.handle(get('/other', {}, { scope: app })); // the outer instance serves this app too
    await outer.invalidatePath('/a');
    await d.fill.complete(ok('computed before the invalidation'));
    assert.equal((await inner.handle(get('/a', {}, { scope: app }))).kind, 'fill');
  });
});
