import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { createMemoryStore } from '@larder/core';
import { counted, engineWith, get, ok, run } from './helpers.ts';

const head = (path: string, headers = {}) => ({ ...get(path, headers), method: 'HEAD' });

describe('replaying a hit', () => {
  test('replays status, every stored header and the body byte for byte', async () => {
    const { engine } = engineWith();
    const bytes = Buffer.from([0, 255, 1, 254, 0x1f, 0x8b, 10, 13]);
    const headers = {
      'content-type': 'application/octet-stream',
      link: ['</a>; rel=preload', '</b>; rel=preload'],
      'x-total-count': 42,
    };
    const h = counted(() => ({ status: 200, headers, body: bytes }));
    await run(engine, get('/bin'), h);
    const { reply } = await run(engine, get('/bin'), h);
    assert.equal(h.calls, 1);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, bytes);
    assert.equal(reply.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(reply.headers.link, ['</a>; rel=preload', '</b>; rel=preload']);
    assert.equal(reply.headers['x-total-count'], '42');
    assert.equal(reply.headers['content-length'], '8');
  });

  test('drops hop-by-hop fields, the fields Connection names, and Proxy-* fields', async () => {
    const { engine } = engineWith();
    const h = counted(() =>
      ok('x', {
        connection: 'keep-alive, X-Hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        trailer: 'x-checksum',
        upgrade: 'h2c',
        'proxy-authenticate': 'Basic',
        'proxy-whatever': 'y',
        'content-length': '999',
        age: '100',
        'x-kept': 'yes',
      }),
    );
    await run(engine, get('/a'), h);
    const { reply } = await run(engine, get('/a'), h);
    for (const name of [
      'connection',
      'x-hop',
      'keep-alive',
      'transfer-encoding',
      'te',
      'trailer',
      'upgrade',
      'proxy-authenticate',
      'proxy-whatever',
    ]) {
      assert.equal(reply.headers[name], undefined, name);
    }
    assert.equal(reply.headers['x-kept'], 'yes');
    assert.equal(reply.headers['content-length'], '1');
    assert.equal(reply.headers.age, '0');
  });

  test('never clobbers the handler Cache-Control', async () => {
    const { engine } = engineWith({ ttl: '1h' });
    const h = counted(() =>
      ok('x', { 'cache-control': 'public, max-age=5, stale-while-revalidate=9' }),
    );
    await run(engine, get('/a'), h);
    const { reply } = await run(engine, get('/a'), h);
    assert.equal(reply.headers['cache-control'], 'public, max-age=5, stale-while-revalidate=9');
  });

  test('counts Age in whole seconds from the store time and keeps the stored Date', async () => {
    const { engine, time } = engineWith({ ttl: 60 });
    const h = counted();
    const first = await run(engine, get('/a'), h);
    assert.equal(first.reply.headers.age, undefined);
    assert.equal(first.reply.headers.date, 'Thu, 01 Jan 2026 00:00:00 GMT');
    time.advance(42.7);
    const { reply } = await run(engine, get('/a'), h);
    assert.equal(reply.headers.age, '42');
    assert.equal(reply.headers.date, 'Thu, 01 Jan 2026 00:00:00 GMT');
  });

  test('keeps the handler own Date, ETag and Last-Modified', async () => {
    const { engine } = engineWith();
    const validators = {
      date: 'Wed, 31 Dec 2025 23:59:59 GMT',
      etag: 'W/"v1"',
      'last-modified': 'Mon, 01 Dec 2025 00:00:00 GMT',
    };
    const h = counted(() => ok('x', validators));
    await run(engine, get('/a'), h);
    const { reply } = await run(engine, get('/a'), h);
    assert.equal(reply.headers.date, validators.date);
    assert.equal(reply.headers.etag, validators.etag);
    assert.equal(reply.headers['last-modified'], validators['last-modified']);
  });

  test('computes the ETag once, at store time, and never hashes on a hit', async (t) => {
    const values = new Map<string, unknown>();
    const store = {
      get: (key: string) => values.get(key),
      set: (key: string, value: unknown) => void values.set(key, value),
      delete: (key: string) => values.delete(key),
    };
    const { engine } = engineWith({ store });
    const { reply } = await run(
      engine,
      get('/a'),
      counted(() => ok('body')),
    );
    assert.match(String(reply.headers.etag), /^"[^"]+"$/);
    const [entry] = [...values.values()] as Array<{ h: Record<string, string> }>;
    assert.equal(entry?.h.etag, reply.headers.etag);
    const hashing = t.mock.method(crypto, 'createHash');
    const hit = await run(engine, get('/a'), counted());
    assert.equal(hit.reply.headers.etag, reply.headers.etag);
    assert.equal(hashing.mock.callCount(), 0);
  });
});

describe('the hit path', () => {
  test('answers a memory-store hit synchronously, without a promise', async () => {
    const { engine } = engineWith();
    await run(engine, get('/a'), counted());
    const decision = engine.handle(get('/a'));
    assert.equal(typeof (decision as { then?: unknown }).then, 'undefined');
    assert.equal((decision as { kind: string }).kind, 'serve');
  });

  test('checks the tags of a tagged memory-store entry before serving it', async () => {
    const { engine } = engineWith({ tags: ['t'] });
    await run(engine, get('/a'), counted());
    assert.equal((await engine.handle(get('/a'))).kind, 'serve');
    await engine.invalidateTags(['t']);
    assert.equal((await engine.handle(get('/a'))).kind, 'fill');
  });
});

describe('X-Cache', () => {
  test('is MISS on a stored miss, HIT on a hit, BYPASS when not cacheable', async () => {
    const { engine } = engineWith();
    assert.equal((await run(engine, get('/a'), counted())).reply.headers['x-cache'], 'MISS');
    assert.equal((await run(engine, get('/a'), counted())).reply.headers['x-cache'], 'HIT');
    assert.equal(
      (await run(engine, { ...get('/a'), method: 'PUT' }, counted())).reply.headers['x-cache'],
      'BYPASS',
    );
    assert.deepEqual(engine.stats(), {
      hits: 1,
      misses: 1,
      stale: 0,
      coalesced: 0,
      notModified: 0,
      stored: 1,
      bypass: { method: 1 },
      storeErrors: 0,
    });
  });

  test('uses the configured header name', async () => {
    const { engine } = engineWith({ statusHeader: 'X-Larder' });
    const { reply } = await run(engine, get('/a'), counted());
    assert.equal(reply.headers['x-larder'], 'MISS');
    assert.equal(reply.headers['x-cache'], undefined);
  });

  test('is not sent when statusHeader is false', async () => {
    const { engine } = engineWith({ statusHeader: false });
    await run(engine, get('/a'), counted());
    const { reply } = await run(engine, get('/a'), counted());
    assert.equal(reply.headers['x-cache'], undefined);
    assert.equal(reply.headers.age, '0');
  });

  test('leaves out another cache status header when caches sharing a store name it differently', async () => {
    const store = createMemoryStore();
    const { engine: writer } = engineWith({ store });
    const { engine: silent } = engineWith({ store, statusHeader: false });
    const { engine: renamed } = engineWith({ store, statusHeader: 'X-Larder' });
    await run(writer, get('/a'), counted());
    const quiet = await run(silent, get('/a'), counted());
    assert.equal(quiet.decision, 'serve');
    assert.equal(quiet.reply.headers['x-cache'], undefined);
    const other = await run(renamed, get('/a'), counted());
    assert.equal(other.reply.headers['x-cache'], undefined);
    assert.equal(other.reply.headers['x-larder'], 'HIT');
    assert.equal(other.reply.headers.age, '0');
  });

  test('never stores the handler own X-Cache header', async () => {
    const { engine } = engineWith();
    await run(
      engine,
      get('/a'),
      counted(() => ok('x', { 'x-cache': 'MISS' })),
    );
    const { reply } = await run(engine, get('/a'), counted());
    assert.equal(reply.headers['x-cache'], 'HIT');
  });
});

describe('HEAD', () => {
  test('is answered from the GET entry with its headers and no body', async () => {
    const { engine } = engineWith();
    const h = counted(() => ok('hello'));
    await run(engine, get('/a'), h);
    const { decision, reply } = await run(engine, head('/a'), h);
    assert.equal(h.calls, 1);
    assert.equal(decision, 'serve');
    assert.equal(reply.body, undefined);
    assert.equal(reply.headers['content-length'], '5');
  });

  test('passes a HEAD miss through without storing, so a later GET still gets its body', async () => {
    const { engine } = engineWith();
    const h = counted(() => ({
      status: 200,
      headers: { 'content-length': '5' },
      body: Buffer.alloc(0),
    }));
    const miss = await run(engine, head('/a'), h);
    assert.equal(miss.decision, 'pass');
    assert.equal(miss.reply.headers['x-cache'], 'MISS');
    const g = counted(() => ok('hello'));
    const { reply } = await run(engine, get('/a'), g);
    assert.equal(g.calls, 1);
    assert.deepEqual(reply.body, Buffer.from('hello'));
    assert.equal(engine.stats().stored, 1);
  });
});

describe('conditional requests (RFC 9110 §13.2.2, §15.4.5)', () => {
  test('answers 304 on a hit when If-None-Match lists the stored ETag, with the §15.4.5 headers and no body', async () => {
    const { engine, time } = engineWith();
    const first = await run(
      engine,
      get('/a'),
      counted(() => ok('x', { 'cache-control': 'max-age=60', 'x-other': '1' })),
    );
    time.advance(3);
    const { reply } = await run(
      engine,
      get('/a', { 'if-none-match': `"nope", W/${first.reply.headers.etag}` }),
      counted(),
    );
    assert.equal(reply.status, 304);
    assert.equal(reply.body, undefined);
    assert.equal(reply.headers.etag, first.reply.headers.etag);
    assert.equal(reply.headers['cache-control'], 'max-age=60');
    assert.equal(reply.headers.date, first.reply.headers.date);
    assert.equal(reply.headers['x-other'], undefined);
    assert.equal(reply.headers['content-length'], undefined);
    assert.equal(reply.headers.age, '3');
    assert.equal(reply.headers['x-cache'], 'HIT');
    assert.equal(engine.stats().notModified, 1);
  });

  test('answers 304 on a hit when If-Modified-Since is not before the stored Last-Modified', async () => {
    const { engine } = engineWith();
    await run(engine, get('/a'), counted());
    const { reply } = await run(
      engine,
      get('/a', { 'if-modified-since': 'Thu, 01 Jan 2026 00:00:00 GMT' }),
      counted(),
    );
    assert.equal(reply.status, 304);
  });

  test('answers 200 when If-None-Match does not match, even if If-Modified-Since would', async () => {
    const { engine } = engineWith();
    await run(engine, get('/a'), counted());
    const { reply } = await run(
      engine,
      get('/a', {
        'if-none-match': '"other"',
        'if-modified-since': 'Thu, 01 Jan 2026 00:00:00 GMT',
      }),
      counted(),
    );
    assert.equal(reply.status, 200);
  });

  test('answers 304 on the miss that stores the entry (Fill.complete returns it)', async () => {
    const { engine } = engineWith();
    const h = counted(() => ok('x', { etag: '"v7"' }));
    const { decision, reply } = await run(engine, get('/a', { 'if-none-match': '"v7"' }), h);
    assert.equal(decision, 'fill');
    assert.equal(reply.status, 304);
    assert.equal(reply.body, undefined);
    assert.equal(reply.headers['x-cache'], 'MISS');
    const full = await run(engine, get('/a'), h);
    assert.equal(full.reply.status, 200);
    assert.equal(h.calls, 1);
  });

  test('answers 304 to a conditional HEAD on a hit', async () => {
    const { engine } = engineWith();
    const first = await run(engine, get('/a'), counted());
    const { reply } = await run(
      engine,
      head('/a', { 'if-none-match': String(first.reply.headers.etag) }),
      counted(),
    );
    assert.equal(reply.status, 304);
  });
});
