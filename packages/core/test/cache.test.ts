import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Cache, createCache } from '../src/cache.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { manualClock, mapStore } from './cache-helpers.ts';

// The same behaviour on the memory store (synchronous, every optional method) and on the smallest
// possible store literal, synchronous and asynchronous (the facade's fallbacks).
const backends = {
  'the default memory store': (now: () => number) => createCache({ now }),
  'a memory store with a prefix option': (now: () => number) =>
    createCache({ now, stores: { ram: createMemoryStore({ now, prefix: 'm/' }) } }),
  'a minimal synchronous store': (now: () => number) =>
    createCache({ now, stores: { map: mapStore(now, { clear: true }) } }),
  'a minimal asynchronous store': (now: () => number) =>
    createCache({ now, stores: { map: mapStore(now, { async: true, clear: true }) } }),
};

for (const [label, make] of Object.entries(backends)) {
  describe(`createCache on ${label}`, () => {
    const setup = () => {
      const clock = manualClock();
      return { clock, cache: make(clock.now) as Cache };
    };

    it('returns undefined for a missing key and the value after set', async () => {
      const { cache } = setup();
      assert.equal(await cache.get('a'), undefined);
      await cache.set('a', { n: 1 });
      assert.deepEqual(await cache.get('a'), { n: 1 });
    });

    it('treats a stored null as a hit and undefined as a removal', async () => {
      const { cache } = setup();
      await cache.set('n', null);
      assert.equal(await cache.get('n'), null);
      assert.equal(await cache.has('n'), true);
      await cache.set('n', undefined);
      assert.equal(await cache.has('n'), false);
    });

    it('expires a value after its ttl in seconds or as a string', async () => {
      const { cache, clock } = setup();
      await cache.set('a', 1, 10);
      await cache.set('b', 2, { ttl: '1m' });
      clock.advance(9);
      assert.deepEqual(await cache.getMany(['a', 'b']), [1, 2]);
      clock.advance(2);
      assert.deepEqual(await cache.getMany(['a', 'b']), [undefined, 2]);
      clock.advance(60);
      assert.equal(await cache.get('b'), undefined);
    });

    it('add stores only when the key holds no value', async () => {
      const { cache } = setup();
      assert.equal(await cache.add('a', 1), true);
      assert.equal(await cache.add('a', 2), false);
      assert.equal(await cache.get('a'), 1);
    });

    it('delete and deleteMany report what they removed', async () => {
      const { cache } = setup();
      await cache.setMany({ a: 1, b: 2, c: 3 });
      assert.equal(await cache.delete('a'), true);
      assert.equal(await cache.delete('a'), false);
      assert.equal(await cache.deleteMany(['b', 'c', 'x']), 2);
      assert.deepEqual(await cache.getMany(['a', 'b', 'c']), [undefined, undefined, undefined]);
    });

    it('setMany accepts pairs or a record and getRecord answers by key', async () => {
      const { cache } = setup();
      await cache.setMany([
        ['a', 1],
        ['b', null],
      ]);
      await cache.setMany({ c: 'three', __proto__x: 4 }, 5);
      assert.deepEqual(await cache.getRecord(['a', 'b', 'c', 'missing']), {
        a: 1,
        b: null,
        c: 'three',
        missing: undefined,
      });
    });

    it('getRecord keeps a "__proto__" key as an own property', async () => {
      const { cache } = setup();
      await cache.set('__proto__', 'p');
      const record = await cache.getRecord(['__proto__']);
      assert.equal(Object.hasOwn(record, '__proto__'), true);
      assert.equal(Object.getOwnPropertyDescriptor(record, '__proto__')?.value, 'p');
    });

    it('increment and decrement resolve the new number, a missing key counting as 0', async () => {
      const { cache } = setup();
      assert.equal(await cache.increment('hits'), 1);
      assert.equal(await cache.increment('hits', 5), 6);
      assert.equal(await cache.decrement('hits', 2), 4);
      assert.equal(await cache.decrement('hits'), 3);
      assert.equal(await cache.get('hits'), 3);
    });

    it('increment continues a number written with set', async () => {
      const { cache } = setup();
      await cache.set('n', 41);
      assert.equal(await cache.increment('n'), 42);
    });

    it('increment rejects a delta that is not a safe integer', async () => {
      const { cache } = setup();
      await assert.rejects(
        cache.increment('n', 1.5),
        /cache\.increment: delta must be a safe integer, got 1\.5/,
      );
    });

    it('touch gives a fresh value a new ttl and reports a miss', async () => {
      const { cache, clock } = setup();
      await cache.set('a', 'v', 10);
      clock.advance(8);
      assert.equal(await cache.touch('a', 10), true);
      clock.advance(8);
      assert.equal(await cache.get('a'), 'v');
      clock.advance(3);
      assert.equal(await cache.get('a'), undefined);
      assert.equal(await cache.touch('a', 10), false);
    });

    it('clear without a pattern removes every key of the cache', async () => {
      const { cache } = setup();
      await cache.setMany({ a: 1, 'posts:1': 2 });
      await cache.clear();
      assert.deepEqual(await cache.getMany(['a', 'posts:1']), [undefined, undefined]);
    });

    it('clear by prefix or trailing glob removes only the matching keys', async () => {
      const { cache } = setup();
      await cache.setMany({ 'posts:1': 1, 'posts:2': 2, 'users:1': 3, postscript: 4 });
      await cache.clear('posts:*');
      assert.deepEqual(await cache.getMany(['posts:1', 'posts:2', 'users:1', 'postscript']), [
        undefined,
        undefined,
        3,
        4,
      ]);
      await cache.clear('users:');
      assert.equal(await cache.get('users:1'), undefined);
      assert.equal(await cache.get('postscript'), 4);
    });

    it('clear reads glob characters in an escaped prefix literally', async () => {
      const { cache } = setup();
      await cache.setMany({ 'a*b:1': 1, 'axb:1': 2, 'a[1]:1': 3, 'a1:1': 4 });
      await cache.clear('a\\*b:*');
      await cache.clear('a\\[1]:');
      assert.deepEqual(await cache.getMany(['a*b:1', 'axb:1', 'a[1]:1', 'a1:1']), [
        undefined,
        2,
        undefined,
        4,
      ]);
    });

    it('clear rejects a glob that a prefix cannot express', async () => {
      const { cache } = setup();
      await assert.rejects(cache.clear('posts:*:comments'), {
        name: 'TypeError',
        message: /cache\.clear: pattern "posts:\*:comments" uses glob syntax/,
      });
    });

    it('keeps a value that looks like an internal envelope intact', async () => {
      const { cache } = setup();
      const tricky = ['larder:entry:1', 'x', 0, 0];
      await cache.set('t', tricky);
      assert.deepEqual(await cache.get('t'), tricky);
    });
  });
}

describe('createCache defaults', () => {
  it('uses one memory store when called without options', async () => {
    const cache = createCache();
    assert.equal(cache.storeName, 'default');
    await cache.set('k', Buffer.from('bytes'));
    assert.deepEqual(await cache.get('k'), Buffer.from('bytes'));
  });

  it('applies the cache-wide ttl option to writes without one', async () => {
    const clock = manualClock();
    const cache = createCache({ now: clock.now, ttl: '30s' });
    await cache.set('a', 1);
    clock.advance(31);
    assert.equal(await cache.get('a'), undefined);
  });

  it('writes every key under the prefix option', async () => {
    const clock = manualClock();
    const store = mapStore(clock.now);
    const cache = createCache({ stores: { s: store }, prefix: 'app:' });
    await cache.set('a', 1);
    assert.deepEqual([...store.data.keys()], ['app:a']);
    assert.equal(cache.prefix, 'app:');
  });

  it('stores a plain value as itself, with no envelope', async () => {
    const clock = manualClock();
    const store = mapStore(clock.now);
    const cache = createCache({ stores: { s: store } });
    const body = Buffer.from('<p>hi</p>');
    await cache.set('page', body, 60);
    assert.equal(store.data.get('page')?.value, body);
  });

  it('reads an undecodable envelope as a miss', async () => {
    const clock = manualClock();
    const store = mapStore(clock.now);
    const cache = createCache({ stores: { s: store } });
    store.data.set('bad', {
      value: ['larder:entry:1', 'x', 'not a time'],
      expires: Number.POSITIVE_INFINITY,
    });
    store.data.set('worse', { value: ['larder:entry:1'], expires: Number.POSITIVE_INFINITY });
    assert.deepEqual(await cache.getMany(['bad', 'worse']), [undefined, undefined]);
    assert.equal(await cache.wrap('bad', () => 'computed'), 'computed');
  });

  it('counts hits and misses of plain reads', async () => {
    const cache = createCache();
    await cache.set('a', 1);
    await cache.get('a');
    await cache.get('b');
    await cache.getMany(['a', 'b']);
    const stats = cache.stats();
    assert.equal(stats.hits, 2);
    assert.equal(stats.misses, 2);
    assert.equal(stats.writes, 1);
  });
});
