/**
 * What the cache does not take on trust: a memory store with a decorated `get` (it gets the
 * guard every other store gets) and entries that cannot be replayed as they are (checked before
 * replay: a bad one is a miss, is deleted and reaches `onError`).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createMemoryStore, type Store } from '@larder/core';
import { countedApp, describeMatrix } from '../helpers/response-cache-matrix.ts';

/** A real memory store that records the keys the cache writes, so a test can overwrite an entry. */
function recordingStore() {
  const store = createMemoryStore();
  const keys: string[] = [];
  const recording: Store = {
    ...store,
    set(key, value, ttl) {
      keys.push(key);
      return store.set(key, value, ttl);
    },
  };
  return { store, recording, keys };
}

type Entry = { h: Record<string, string | string[]>; b: Buffer } & Record<string, unknown>;

const BAD_ENTRIES: readonly (readonly [string, (entry: Entry) => Entry])[] = [
  ['a body shorter than its Content-Length', (e) => ({ ...e, b: e.b.subarray(0, 3) })],
  [
    'a header value holding CR LF',
    (e) => ({ ...e, h: { ...e.h, 'x-note': 'a\r\nSet-Cookie: x=1' } }),
  ],
  ['a header value holding NUL', (e) => ({ ...e, h: { ...e.h, 'x-note': 'a\u0000b' } })],
  ['a header name that is not a token', (e) => ({ ...e, h: { ...e.h, 'bad name': 'x' } })],
  ['a header value that is not a string', (e) => ({ ...e, h: { ...e.h, 'x-note': 42 as never } })],
];

describeMatrix('responseCache does not trust its store blindly', (fw) => {
  it('guards a decorated memory store whose get throws: no 500, the handler answers', async () => {
    const store: Store = {
      ...createMemoryStore(),
      get() {
        throw new Error('decorated get failed');
      },
    };
    const errors: Error[] = [];
    const { app, calls } = await countedApp(
      fw,
      { store, cache: { onError: (e) => errors.push(e) }, route: { path: '/a' } },
      (x, n) => x.send(`call ${n}`),
    );
    for (const n of [1, 2]) {
      const res = await app.http().get('/a');
      assert.equal(res.status, 200);
      assert.equal(res.text, `call ${n}`);
    }
    assert.equal(calls(), 2);
    assert.ok(errors.length >= 2, 'each failed read reached onError');
  });

  it('holds storeTimeout for a decorated memory store whose get never answers', async () => {
    const store: Store = { ...createMemoryStore(), get: () => new Promise(() => {}) };
    const { app, calls } = await countedApp(
      fw,
      { store, cache: { storeTimeout: 0.05 }, route: { path: '/a' } },
      (x) => x.send('fine'),
    );
    const res = await app.http().get('/a').timeout(5000);
    assert.equal(res.status, 200);
    assert.equal(calls(), 1);
  });

  for (const [what, spoil] of BAD_ENTRIES) {
    it(`treats an entry with ${what} as a miss: deleted, reported, refilled`, async () => {
      const { store, recording, keys } = recordingStore();
      const errors: Error[] = [];
      const { app, calls } = await countedApp(
        fw,
        { store: recording, cache: { onError: (e) => errors.push(e) }, route: { path: '/page' } },
        (x, n) => x.send(`page, call ${n}`),
      );
      await app.http().get('/page');
      assert.equal(keys.length, 1, 'one entry stored');
      const key = keys[0] as string;
      store.set(key, spoil(store.get(key) as Entry));
      const res = await app.http().get('/page');
      assert.equal(res.status, 200);
      assert.equal(res.text, 'page, call 2', 'the handler answered: the bad entry was a miss');
      assert.equal(res.headers['x-note'], undefined);
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? '', /not replayed/);
      const again = await app.http().get('/page');
      assert.equal(again.headers['x-cache'], 'HIT', 'the refill replaced the bad entry');
      assert.equal(again.text, 'page, call 2');
      assert.equal(calls(), 2);
    });
  }
});
