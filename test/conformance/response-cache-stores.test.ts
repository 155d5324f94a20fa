import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Store } from '@larder/core';
import { describeMatrix, manualClock, until } from '../helpers/response-cache-matrix.ts';

/** A store literal whose every call rejects, as a dead Redis connection would. */
const failing: Store = {
  name: 'failing',
  get: () => Promise.reject(new Error('connection refused')),
  set: () => Promise.reject(new Error('connection refused')),
  delete: () => Promise.reject(new Error('connection refused')),
};

/** A store literal whose every call never settles, as a stalled backend would. */
const hanging: Store = {
  name: 'hanging',
  get: () => new Promise(() => {}),
  set: () => new Promise(() => {}),
  delete: () => new Promise(() => {}),
};

describeMatrix('responseCache with a broken store', (fw) => {
  for (const [name, store] of [
    ['rejects', failing],
    ['never answers', hanging],
  ] as const) {
    it(`serves every request and tells onError when the store ${name}`, async () => {
      const errors: Error[] = [];
      const clock = manualClock();
      let calls = 0;
      const app = await fw.build({
        store,
        cache: {
          ttl: 10,
          now: clock.now,
          storeTimeout: 0.05,
          onError: (error) => errors.push(error),
        },
        routes: [{ path: '/broken', handler: (x) => x.send(`served ${++calls}`) }],
      });
      await app.http().get('/broken').expect(200, 'served 1');
      await app
        .http()
        .get('/broken')
        .expect(200, /^served \d$/);
      assert.ok(errors.length >= 1, `onError called ${errors.length} times`);
      assert.ok(errors.every((e) => e instanceof Error));
      assert.ok((app.appCache?.stats().storeErrors ?? 0) >= 1);
      // Nothing outlives its ttl because a write never settled (once the write has timed out or failed).
      await until(() => errors.some((e) => /set/.test(e.message)));
      clock.advance(11);
      const before = calls;
      await app
        .http()
        .get('/broken')
        .expect(200, `served ${before + 1}`);
    });
  }
});
