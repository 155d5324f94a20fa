import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createFileStore } from '@larder/core';
import type { CacheRequest, HeaderRecord } from '@larder/http';
import { counted, engineWith, get, ok, run } from './helpers.ts';

const GZIP = { 'accept-encoding': 'gzip, deflate, br' };
/** A gzip body, as compression middleware sends it. */
const gz = (n: number) => ok(`gz ${n}`, { 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
/** An unencoded body from an app whose compression declined this client (it still says Vary). */
const plainVaried = (n: number) => ok(`plain ${n}`, { vary: 'Accept-Encoding' });
/** What an app with compression answers: gzip to clients that accept it, identity to the others. */
const compressing = (n: number, r: CacheRequest) =>
  String(r.headers['accept-encoding'] ?? '').includes('gzip') ? gz(n) : plainVaried(n);
const head = (headers: HeaderRecord = {}): CacheRequest => ({
  ...get('/a', headers),
  method: 'HEAD',
});

describe('content codings: an unencoded entry serves every client', () => {
  for (const [first, second] of [
    [{}, GZIP],
    [GZIP, {}],
    [{ 'accept-encoding': 'identity' }, { 'accept-encoding': 'br' }],
  ] as const) {
    test(`made for Accept-Encoding ${JSON.stringify(first)}, served to ${JSON.stringify(second)} and a HEAD`, async () => {
      const { engine } = engineWith();
      const h = counted();
      await run(engine, get('/a', first), h);
      const hit = await run(engine, get('/a', second), h);
      assert.equal(hit.reply.headers['x-cache'], 'HIT');
      assert.equal(hit.reply.headers['content-encoding'], undefined);
      assert.deepEqual(hit.reply.body, Buffer.from('body 1'));
      const headHit = await run(engine, head(second), h);
      assert.equal(headHit.reply.headers['x-cache'], 'HIT');
      assert.equal(headHit.reply.body, undefined);
      assert.equal(h.calls, 1);
      assert.equal(hit.reply.headers.vary, undefined);
    });
  }
});

describe('content codings: an entry that varies by coding serves matching clients only', () => {
  test('never replays a gzip entry to a client that did not accept gzip, in either order', async () => {
    for (const order of [
      [GZIP, {}],
      [{}, GZIP],
    ] as const) {
      const { engine } = engineWith();
      const h = counted(compressing);
      const first = await run(engine, get('/a', order[0]), h);
      const second = await run(engine, get('/a', order[1]), h);
      assert.equal(second.reply.headers['x-cache'], 'MISS', 'the other client made its own entry');
      for (const [headers, reply] of [
        [order[0], first.reply],
        [order[1], second.reply],
      ] as const) {
        const again = await run(engine, get('/a', headers), h);
        assert.equal(again.reply.headers['x-cache'], 'HIT');
        assert.deepEqual(again.reply.body, reply.body);
        assert.equal(again.reply.headers['content-encoding'], reply.headers['content-encoding']);
        assert.match(String(again.reply.headers.vary), /accept-encoding/i);
      }
      assert.equal(h.calls, 2);
    }
  });

  test('serves a gzip entry to any spelling of the same accepted codings', async () => {
    const { engine } = engineWith();
    const h = counted(gz);
    await run(engine, get('/a', { 'accept-encoding': 'gzip, br' }), h);
    const again = await run(engine, get('/a', { 'accept-encoding': 'br;q=0.5,GZIP' }), h);
    assert.equal(again.reply.headers['x-cache'], 'HIT');
    assert.equal(again.reply.headers['content-encoding'], 'gzip');
    assert.equal(h.calls, 1);
  });

  test('an unencoded response without Vary: Accept-Encoding replaces the variants for everyone', async () => {
    const { engine } = engineWith();
    await run(engine, get('/a', GZIP), counted(gz));
    await run(
      engine,
      get('/a'),
      counted(() => ok('now plain')),
    );
    const gzipClient = await run(engine, get('/a', GZIP), counted());
    assert.equal(gzipClient.reply.headers['x-cache'], 'HIT');
    assert.equal(gzipClient.reply.headers['content-encoding'], undefined);
    assert.deepEqual(gzipClient.reply.body, Buffer.from('now plain'));
  });

  test('refuses to store a coding the request did not accept', async () => {
    const { engine } = engineWith();
    const { reply } = await run(engine, get('/a', { 'accept-encoding': 'gzip;q=0' }), counted(gz));
    assert.equal(reply.headers['x-cache'], 'BYPASS');
    assert.deepEqual(engine.stats().bypass, { 'content-encoding': 1 });
  });

  test('a plain client waiting on a gzip leader runs the handler itself', async () => {
    const { engine } = engineWith();
    const leader = await engine.handle(get('/a', GZIP));
    assert.equal(leader.kind, 'fill');
    const waiter = engine.handle(get('/a'));
    const sameCodings = engine.handle(get('/a', GZIP));
    await new Promise((resolve) => setImmediate(resolve));
    if (leader.kind === 'fill') await leader.fill.complete(gz(1));
    const w = await waiter;
    assert.equal(w.kind, 'fill', 'the plain waiter fills for itself');
    const s = await sameCodings;
    assert.equal(s.kind === 'serve' && s.reply.headers['content-encoding'], 'gzip');
    // A late plain arrival, while the leader's write may still be settling, is not handed gzip
    // either: it waits for the plain fill, and gets its entry.
    const late = engine.handle(get('/a'));
    await new Promise((resolve) => setImmediate(resolve));
    if (w.kind === 'fill') await w.fill.complete(plainVaried(2));
    const l = await late;
    assert.equal(l.kind, 'serve');
    assert.equal(l.kind === 'serve' && l.reply.headers['content-encoding'], undefined);
    assert.deepEqual(l.kind === 'serve' && l.reply.body, Buffer.from('plain 2'));
  });
});

describe('content codings: coalescing', () => {
  test('clients with other codings than the leader coalesce on one fill of their own variant', async () => {
    const { engine } = engineWith();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const handler = async (r: CacheRequest) => {
      const n = ++calls;
      if (n === 1) await gate;
      return compressing(n, r);
    };
    const requests = [GZIP, {}, {}, {}, GZIP, {}].map((headers) =>
      run(engine, get('/a', headers), handler),
    );
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const outcomes = await Promise.all(requests);
    assert.equal(calls, 2, 'one fill per set of accepted codings');
    for (const [i, headers] of [GZIP, {}, {}, {}, GZIP, {}].entries()) {
      const encoding = outcomes[i]?.reply.headers['content-encoding'];
      assert.equal(encoding, headers === GZIP ? 'gzip' : undefined);
    }
  });
});

describe('content codings: invalidation reaches every variant', () => {
  const variants = [{}, GZIP, { 'accept-encoding': 'br' }] as const;
  for (const [name, invalidate] of [
    ['invalidatePath', (e: ReturnType<typeof engineWith>['engine']) => e.invalidatePath('/a')],
    ['invalidate(key)', (e: ReturnType<typeof engineWith>['engine']) => e.invalidate('/a?q=1')],
    ['invalidatePrefix', (e: ReturnType<typeof engineWith>['engine']) => e.invalidatePrefix('/')],
    ['invalidateTags', (e: ReturnType<typeof engineWith>['engine']) => e.invalidateTags(['t'])],
    ['clear', (e: ReturnType<typeof engineWith>['engine']) => e.clear()],
  ] as const) {
    test(`${name} removes the unencoded and every coded variant`, async () => {
      const { engine } = engineWith({ tags: ['t'] });
      const h = counted(compressing);
      for (const headers of variants) await run(engine, get('/a?q=1', headers), h);
      const made = h.calls;
      for (const headers of variants) await run(engine, get('/a?q=1', headers), h);
      assert.equal(h.calls, made, 'all variants were stored');
      await invalidate(engine);
      for (const headers of variants) {
        const after = await run(engine, get('/a?q=1', headers), h);
        assert.equal(after.reply.headers['x-cache'], 'MISS');
      }
    });
  }
});

describe('content codings on a serializing store (the file store)', () => {
  test('round-trips the marker, the coded variants and the identity entry byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'larder-rc-'));
    // The store may still be appending to its write journal when the test ends: retry ENOTEMPTY.
    after(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));
    const { engine } = engineWith({ store: createFileStore({ dir }) });
    const h = counted(compressing);
    const first = [
      await run(engine, get('/a', GZIP), h),
      await run(engine, get('/a'), h),
      await run(engine, get('/b'), counted()),
    ];
    // The file store writes asynchronously: wait for the four files (marker, two variants, /b).
    const written = async () =>
      (await readdir(dir, { recursive: true })).filter((f) => /^[0-9a-f]{64}$/.test(f)).length;
    for (let i = 0; i < 500 && (await written()) < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const again = [
      await run(engine, get('/a', GZIP), h),
      await run(engine, get('/a'), h),
      await run(engine, get('/b', GZIP), counted()),
    ];
    for (const [i, reply] of again.entries()) {
      assert.equal(reply.reply.headers['x-cache'], 'HIT');
      assert.deepEqual(reply.reply.body, first[i]?.reply.body);
      assert.equal(
        reply.reply.headers['content-encoding'],
        first[i]?.reply.headers['content-encoding'],
      );
    }
    assert.equal(again[0]?.reply.headers['content-encoding'], 'gzip');
    assert.equal(h.calls, 2);
  });
});
