import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache, type Store } from '@larder/core';
import { createFragmentCache } from '../src/index.ts';

function counted(html = '<p>x</p>') {
  let runs = 0;
  return {
    body: () => {
      runs++;
      return html;
    },
    runs: () => runs,
  };
}

describe('createFragmentCache', () => {
  describe('keys', () => {
    const fragments = createFragmentCache();
    it('joins namespace, key, vary values and template identity', () => {
      assert.equal(
        fragments.keyOf({ key: 'side bar', vary: [7, true, 'en'], template: 'abc' }),
        'fragment:side%20bar:7,true,en:abc',
      );
    });

    it('keeps the separators out of the parts, so a key containing ":" or "," never meets another', () => {
      const a = fragments.keyOf({ key: 'a:b', vary: ['c'] });
      const b = fragments.keyOf({ key: 'a', vary: ['b:c'] });
      const c = fragments.keyOf({ key: 'a', vary: ['b', 'c'] });
      const d = fragments.keyOf({ key: 'a', vary: ['b,c'] });
      assert.equal(new Set([a, b, c, d]).size, 4);
    });

    it('prints dates as ISO strings, arrays part by part and objects as JSON', () => {
      assert.equal(
        fragments.keyOf({ key: new Date(0), vary: [[1, 2], { id: 3 }] }),
        `fragment:${encodeURIComponent('1970-01-01T00:00:00.000Z')}:[1,2],${encodeURIComponent('{"id":3}')}:`,
      );
    });

    for (const [title, block] of [
      ['an undefined key', { key: undefined }],
      ['a null key', { key: null }],
      ['an undefined vary value', { key: 'k', vary: ['a', undefined] }],
      ['a function key', { key: () => 1 }],
    ] as const) {
      it(`rejects ${title} at render, naming where the block is, and runs nothing`, async () => {
        const { body, runs } = counted();
        await assert.rejects(fragments.render({ ...block, where: 'page.liquid line 3' }, body), {
          name: 'TypeError',
          message: /^page\.liquid line 3: the (key|vary value #2) evaluated to/,
        });
        assert.equal(runs(), 0);
      });
    }
  });

  describe('render', () => {
    it('runs the body on a miss only, and stores its HTML under keyOf(block)', async () => {
      const cache = createCache();
      const fragments = createFragmentCache({ cache });
      const { body, runs } = counted();
      assert.equal(await fragments.render({ key: 'k' }, body), '<p>x</p>');
      assert.equal(await fragments.render({ key: 'k' }, body), '<p>x</p>');
      assert.equal(runs(), 1);
      assert.equal(await cache.get(fragments.keyOf({ key: 'k' })), '<p>x</p>');
    });

    it('expires a fragment after the block’s own ttl rather than the default', async () => {
      let now = 1_000_000;
      const fragments = createFragmentCache({ cache: createCache({ now: () => now }), ttl: '1h' });
      const { body, runs } = counted();
      await fragments.render({ key: 'k', ttl: 10 }, body);
      now += 9_000;
      await fragments.render({ key: 'k', ttl: 10 }, body);
      assert.equal(runs(), 1);
      now += 2_000;
      await fragments.render({ key: 'k', ttl: 10 }, body);
      assert.equal(runs(), 2);
    });

    it('serves a stale fragment within staleWhileRevalidate while one background render refreshes it', async () => {
      let now = 1_000_000;
      const fragments = createFragmentCache({
        cache: createCache({ now: () => now }),
        ttl: 10,
        staleWhileRevalidate: 60,
      });
      let version = 0;
      const body = () => `<p>v${++version}</p>`;
      await fragments.render({ key: 'k' }, body);
      now += 20_000;
      assert.equal(await fragments.render({ key: 'k' }, body), '<p>v1</p>');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(await fragments.render({ key: 'k' }, body), '<p>v2</p>');
    });

    it('invalidates by tag: default tags and the block’s own', async () => {
      const fragments = createFragmentCache({ tags: ['site'] });
      const a = counted();
      const b = counted();
      await fragments.render({ key: 'a', tags: 'posts' }, a.body);
      await fragments.render({ key: 'b', tags: ['users'] }, b.body);
      await fragments.invalidateTags(['posts']);
      await fragments.render({ key: 'a', tags: 'posts' }, a.body);
      await fragments.render({ key: 'b', tags: ['users'] }, b.body);
      assert.deepEqual([a.runs(), b.runs()], [2, 1]);
      await fragments.invalidateTags(['site']);
      await fragments.render({ key: 'b', tags: ['users'] }, b.body);
      assert.equal(b.runs(), 2);
    });

    it('invalidates by key: every vary value and template, and nothing under a longer key', async () => {
      const fragments = createFragmentCache();
      const runs = counted();
      const blocks = [
        { key: 'side', vary: [1] },
        { key: 'side', vary: [2], template: 't' },
        { key: 'side', vary: [1, 'en'] },
        { key: 'sidebar' },
      ];
      for (const block of blocks) await fragments.render(block, runs.body);
      await fragments.invalidate('side', 1);
      for (const block of blocks) await fragments.render(block, runs.body);
      assert.equal(runs.runs(), 4 + 2, 'side/1 and side/1,en rendered again');
      await fragments.invalidate('side');
      for (const block of blocks) await fragments.render(block, runs.body);
      assert.equal(runs.runs(), 6 + 3, 'every side fragment rendered again, sidebar kept');
    });

    it('rejects, and stores nothing, when the body yields no string', async () => {
      const cache = createCache();
      const fragments = createFragmentCache({ cache });
      await assert.rejects(
        fragments.render({ key: 'k', where: 'fragment()' }, () => 42 as unknown as string),
        /fragment\(\): the block produced 42, not a string/,
      );
      assert.equal(await cache.get(fragments.keyOf({ key: 'k' })), undefined);
    });

    it('passes the body’s error on, stores nothing, and renders again next time', async () => {
      const fragments = createFragmentCache();
      let fail = true;
      const body = () => {
        if (fail) throw new Error('template broke');
        return 'ok';
      };
      await assert.rejects(fragments.render({ key: 'k' }, body), /template broke/);
      fail = false;
      assert.equal(await fragments.render({ key: 'k' }, body), 'ok');
    });

    it('still renders the page when the store fails on every call', async () => {
      const dead: Store = {
        get: () => Promise.reject(new Error('down')),
        set: () => Promise.reject(new Error('down')),
        delete: () => Promise.reject(new Error('down')),
      };
      const fragments = createFragmentCache({ cache: createCache({ stores: { default: dead } }) });
      const { body, runs } = counted();
      assert.equal(await fragments.render({ key: 'k' }, body), '<p>x</p>');
      assert.equal(await fragments.render({ key: 'k' }, body), '<p>x</p>');
      assert.equal(runs(), 2);
    });

    it('renders, and replaces, a value under the fragment key that is not text (a store that lies)', async () => {
      const cache = createCache();
      const fragments = createFragmentCache({ cache });
      await cache.set(fragments.keyOf({ key: 'k' }), { html: 'forged' });
      const { body, runs } = counted();
      assert.equal(await fragments.render({ key: 'k' }, body), '<p>x</p>');
      assert.equal(await cache.get(fragments.keyOf({ key: 'k' })), '<p>x</p>');
      assert.equal(await fragments.render({ key: 'k' }, body), '<p>x</p>');
      assert.equal(runs(), 1);
    });

    it('renders every time and stores nothing with enabled: false', async () => {
      const cache = createCache();
      const fragments = createFragmentCache({ cache, enabled: false });
      const { body, runs } = counted();
      await fragments.render({ key: 'k' }, body);
      await fragments.render({ key: 'k' }, body);
      assert.equal(runs(), 2);
      assert.equal(await cache.get(fragments.keyOf({ key: 'k' })), undefined);
    });

    it('rejects a bad block ttl naming where the block is', async () => {
      const fragments = createFragmentCache();
      await assert.rejects(
        fragments.render({ key: 'k', ttl: 'soon', where: 'page line 2' }, () => ''),
        {
          name: 'RangeError',
          message: /page line 2: option "ttl".*"soon"/,
        },
      );
    });
  });

  describe('options', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['an unknown option', { tll: 5 }, /createFragmentCache: unknown option "tll"/],
      ['a cache without wrap', { cache: { get() {} } }, /option "cache" must be a Cache/],
      ['a negative ttl', { ttl: -1 }, /option "ttl".*-1/],
      ['an empty tag', { tags: [''] }, /option "tags" must be/],
      [
        'a non-boolean enabled',
        { enabled: 'no' },
        /option "enabled" must be true or false, got "no"/,
      ],
      ['a non-boolean digest', { digest: 1 }, /option "digest"/],
      ['a namespace with ":"', { namespace: 'a:b' }, /option "namespace".*"a:b"/],
      ['options that are not an object', 'fast', /options must be an object, got "fast"/],
    ];
    for (const [title, options, message] of cases) {
      it(`throws at setup for ${title}, naming createFragmentCache, the option and the value`, () => {
        assert.throws(() => createFragmentCache(options as never), { message });
      });
    }
  });
});
