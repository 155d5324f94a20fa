import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type Cache, createCache, createFileStore, getNow } from '../src/index.ts';

describe('getNow', () => {
  describe('on the memory store', () => {
    it('returns a fresh value itself, not a promise, and counts a hit', async () => {
      const cache = createCache();
      await cache.set('k', '<p>x</p>');
      const hits = cache.stats().hits;
      assert.equal(getNow(cache, 'k'), '<p>x</p>');
      assert.equal(cache.stats().hits - hits, 1);
    });

    it('returns undefined itself on a miss, and counts a miss', () => {
      const cache = createCache();
      assert.equal(getNow(cache, 'absent'), undefined);
      assert.equal(cache.stats().misses, 1);
    });

    it('reads through the cache’s prefix and namespaces', async () => {
      const cache = createCache({ prefix: 'app:' }).namespace('views');
      await cache.set('k', 1);
      assert.equal(getNow(cache, 'k'), 1);
    });

    it('answers a value stored with tags at once, and undefined once a tag is invalidated', async () => {
      const cache = createCache();
      await cache.set('k', 'tagged', { tags: ['t'] });
      assert.equal(getNow(cache, 'k'), 'tagged');
      await cache.invalidateTags(['t']);
      assert.equal(getNow(cache, 'k'), undefined);
    });

    it('treats a stale value (within a stale window) as a miss, as get does', async () => {
      let now = 1_000_000;
      const cache = createCache({ now: () => now });
      await cache.wrap('k', () => 'v', { ttl: 10, staleWhileRevalidate: 60 });
      now += 20_000;
      assert.equal(getNow(cache, 'k'), undefined);
      assert.equal(await cache.get('k'), undefined);
    });
  });

  it('returns a promise when the store answers asynchronously (the file store)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'larder-get-now-'));
    try {
      const cache = createCache({ stores: { default: createFileStore({ dir }) } });
      await cache.set('k', 'on disk');
      const answer = getNow(cache, 'k');
      assert.ok(answer instanceof Promise);
      assert.equal(await answer, 'on disk');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('falls back to get for a Cache that createCache did not make', async () => {
    const cache = { get: async () => 'from get' } as unknown as Cache;
    assert.equal(await getNow(cache, 'k'), 'from get');
  });
});
