import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore } from '../src/memory-store.ts';
import { createTestClock, runStoreContract } from '../src/testing/index.ts';
import { type OptionErrorCase, testOptionErrors } from './option-errors.ts';

runStoreContract('memory', ({ now }) => createMemoryStore({ now }));
runStoreContract('memory (prefixed, byte-bounded)', ({ now }) =>
  createMemoryStore({ now, prefix: 'app:', maxBytes: 8 * 1024 * 1024 }),
);
// The other way to pass a clock: one shared TestClock, given to the store and to the suite.
const shared = createTestClock();
runStoreContract('memory (shared clock)', () => createMemoryStore({ now: shared.now }), {
  clock: shared,
});

describe('createMemoryStore', () => {
  test('answers synchronously: get, set, add and increment return plain values, not promises', () => {
    const store = createMemoryStore();
    assert.equal(store.set('k', 'v'), undefined);
    assert.equal(store.get('k'), 'v');
    assert.equal(store.add('k', 'w'), false);
    assert.equal(store.increment('n'), 1);
    assert.deepEqual(store.getMany(['k', 'n']), ['v', 1]);
  });

  test('keeps values by reference, without cloning', () => {
    const store = createMemoryStore();
    const value = { list: [1] };
    store.set('obj', value);
    assert.equal(store.get('obj'), value);
    value.list.push(2);
    assert.deepEqual(store.get('obj'), { list: [1, 2] });
  });

  test('evicts the least recently used entry when maxEntries is reached', () => {
    const store = createMemoryStore({ maxEntries: 3 });
    store.set('a', 1);
    store.set('b', 2);
    store.set('c', 3);
    store.get('a'); // a becomes most recently used, so b is now the oldest
    store.set('d', 4);
    assert.deepEqual(store.getMany(['a', 'b', 'c', 'd']), [1, undefined, 3, 4]);
    assert.equal(store.size, 3);
  });

  test('evicts least recently used entries to stay within maxBytes, counting key and value bytes', () => {
    const store = createMemoryStore({ maxBytes: 3000, maxEntries: 100 });
    store.set('a', Buffer.alloc(1000));
    store.set('b', Buffer.alloc(1000));
    store.set('c', Buffer.alloc(1000)); // 3 006 bytes with the keys: a goes
    assert.equal(store.get('a'), undefined);
    assert.ok(Buffer.isBuffer(store.get('b')));
    assert.equal(store.bytes, 2 * 1002);
  });

  test('does not store an entry larger than maxBytes, and drops the entry it would replace', () => {
    const store = createMemoryStore({ maxBytes: 1024 });
    store.set('big', 'small');
    store.set('big', Buffer.alloc(2048));
    assert.equal(store.get('big'), undefined);
  });

  test('counts strings at 2 bytes per UTF-16 unit and uses a custom sizeOf when given', () => {
    const strings = createMemoryStore({ maxBytes: 10_000 });
    strings.set('s', 'x'.repeat(100));
    assert.equal(strings.bytes, 202);
    const custom = createMemoryStore({ maxBytes: 12, sizeOf: () => 4 });
    custom.set('a', {});
    custom.set('b', {});
    custom.set('c', {}); // each entry counts 4 + 2 for the key: a third one evicts a
    assert.equal(custom.get('a'), undefined);
    assert.deepEqual(custom.getMany(['b', 'c']), [{}, {}]);
  });

  test('applies the ttl option to entries set without a ttl', () => {
    const clock = createTestClock();
    const store = createMemoryStore({ now: clock.now, ttl: '1m' });
    store.set('k', 'v');
    store.set('forever', 'v', Number.POSITIVE_INFINITY);
    clock.advance(59_000);
    assert.equal(store.get('k'), 'v');
    clock.advance(2000);
    assert.equal(store.get('k'), undefined);
    assert.equal(store.get('forever'), 'v');
  });

  test('arms no timer per key: a thousand entries with ttls add at most one timer', () => {
    // Expiry is a timestamp checked on read; lru-cache may keep one shared clock-refresh timer.
    const timers = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const store = createMemoryStore({ ttl: '1h' });
    for (let i = 0; i < 1000; i++) store.set(`k${i}`, i, 60 + i);
    for (let i = 0; i < 1000; i++) store.get(`k${i}`);
    assert.ok(timers() - before <= 1, `timers added: ${timers() - before}`);
  });

  test('keeps an entry whose ttl is past 24.8 days (2^31 ms) on the default clock', () => {
    const store = createMemoryStore();
    store.set('k', 'v', 30 * 24 * 3600);
    assert.equal(store.get('k'), 'v');
  });

  test('increment keeps the expiry of an existing counter', () => {
    const clock = createTestClock();
    const store = createMemoryStore({ now: clock.now });
    store.increment('n', 1, 10);
    clock.advance(8000);
    assert.equal(store.increment('n', 1, 10), 2);
    clock.advance(3000);
    assert.equal(store.get('n'), undefined);
  });

  test('increment throws a TypeError when the stored value is not an integer', () => {
    const store = createMemoryStore();
    store.set('s', 'ten');
    store.set('f', 1.5);
    assert.throws(() => store.increment('s'), {
      name: 'TypeError',
      message: /"s".*not an integer/,
    });
    assert.throws(() => store.increment('f'), TypeError);
    assert.throws(() => store.increment('n', 0.5), { name: 'TypeError', message: /delta/ });
    assert.equal(store.get('s'), 'ten');
  });

  test('setting undefined deletes the key; add of undefined stores nothing', () => {
    const store = createMemoryStore();
    store.set('k', 'v');
    store.set('k', undefined);
    assert.equal(store.has('k'), false);
    assert.equal(store.add('k', undefined), false);
    assert.equal(store.has('k'), false);
  });

  test('clear(prefix) with a store prefix only removes that store-relative prefix', () => {
    const store = createMemoryStore({ prefix: 'ns:' });
    store.set('a:1', 1);
    store.set('b:1', 2);
    store.clear('a:');
    assert.deepEqual(store.getMany(['a:1', 'b:1']), [undefined, 2]);
  });

  describe('when an option is invalid', () => {
    const cases: OptionErrorCase[] = [
      ['maxEntries 0', { maxEntries: 0 }, RangeError, /createMemoryStore.*"maxEntries".*0/],
      ['maxEntries 1.5', { maxEntries: 1.5 }, RangeError, /"maxEntries".*1\.5/],
      ['maxEntries "10"', { maxEntries: '10' }, RangeError, /"maxEntries".*10/],
      ['maxBytes -1', { maxBytes: -1 }, RangeError, /createMemoryStore.*"maxBytes".*-1/],
      ['maxBytes NaN', { maxBytes: Number.NaN }, RangeError, /"maxBytes".*NaN/],
      [
        'both bounds Infinity',
        { maxEntries: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY },
        RangeError,
        /createMemoryStore.*"maxEntries" and "maxBytes"/,
      ],
      ['ttl -5', { ttl: -5 }, RangeError, /createMemoryStore.*"ttl".*-5/],
      ['ttl "soon"', { ttl: 'soon' }, RangeError, /"ttl".*soon/],
      [
        'prefix 1',
        { prefix: 1 },
        TypeError,
        /createMemoryStore: option "prefix" must be a string, got 1$/,
      ],
      [
        'now "x"',
        { now: 'x' },
        TypeError,
        /createMemoryStore: option "now" must be a function, got "x"/,
      ],
      [
        'sizeOf 1',
        { sizeOf: 1 },
        TypeError,
        /createMemoryStore: option "sizeOf" must be a function, got 1$/,
      ],
    ];
    testOptionErrors(createMemoryStore, cases);

    test('throws a RangeError at set time when a custom sizeOf returns a negative number', () => {
      const store = createMemoryStore({ sizeOf: () => -1 });
      assert.throws(() => store.set('k', 'v'), { name: 'RangeError', message: /"sizeOf".*-1/ });
    });
  });
});
