import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResponseCache, defaultResponseStore } from '@larder/http';
import { counted, get, ok, run } from './helpers.ts';

const unique = () => `/default-${Math.random().toString(36).slice(2)}`;

describe('the default store', () => {
  test('is one memory store per application scope, shared by every engine of that scope', async () => {
    const app = {};
    const outer = createResponseCache({ ttl: 60 });
    const inner = createResponseCache({ ttl: 60 });
    const path = unique();
    await run(outer, get(path, {}, { scope: app }), counted());
    const h = counted();
    const { reply } = await run(inner, get(path, {}, { scope: app }), h);
    assert.equal(h.calls, 0);
    assert.equal(reply.headers['x-cache'], 'HIT');
    assert.equal(defaultResponseStore(app), defaultResponseStore(app));
    assert.equal(defaultResponseStore(app).name, 'memory');
  });

  test('never serves one application the response another made for the same path', async () => {
    const publicApp = {};
    const adminApp = {};
    // One middleware instance mounted in both apps, and one instance per app: neither crosses.
    const shared = createResponseCache();
    const own = createResponseCache();
    const path = unique();
    for (const engine of [shared, own]) {
      const pub = counted(() => ok('public page'));
      const admin = counted(() => ok('admin page'));
      await run(engine, get(path, {}, { scope: publicApp }), pub);
      const a = await run(engine, get(path, {}, { scope: adminApp }), admin);
      assert.deepEqual(a.reply.body, Buffer.from('admin page'));
      const p = await run(engine, get(path, {}, { scope: publicApp }), pub);
      assert.deepEqual(p.reply.body, Buffer.from('public page'));
      assert.equal(p.reply.headers['x-cache'], 'HIT');
      assert.notEqual(defaultResponseStore(publicApp), defaultResponseStore(adminApp));
    }
  });

  test('never coalesces one application onto another application in flight', async () => {
    const engine = createResponseCache();
    const path = unique();
    const leader = await engine.handle(get(path, {}, { scope: {} }));
    assert.equal(leader.kind, 'fill');
    const other = await engine.handle(get(path, {}, { scope: {} }));
    assert.equal(other.kind, 'fill', 'the second app fills for itself, not waits on the first');
    if (leader.kind === 'fill') leader.fill.abandon('uncapturable');
    if (other.kind === 'fill') other.fill.abandon('uncapturable');
  });

  test('is invalidated in every application scope the engine has served', async () => {
    const engine = createResponseCache();
    const scopes = [{}, {}];
    const path = unique();
    const h = counted();
    for (const scope of scopes) await run(engine, get(path, {}, { scope }), h);
    await engine.invalidatePath(path);
    for (const scope of scopes) {
      const { reply } = await run(engine, get(path, {}, { scope }), h);
      assert.equal(reply.headers['x-cache'], 'MISS');
    }
    assert.equal(h.calls, 4);
  });

  test('without a scope is one process-wide store', async () => {
    const path = unique();
    await run(createResponseCache(), get(path), counted());
    const h = counted();
    await run(createResponseCache(), get(path), h);
    assert.equal(h.calls, 0);
    assert.notEqual(defaultResponseStore(), defaultResponseStore({}));
  });
});
