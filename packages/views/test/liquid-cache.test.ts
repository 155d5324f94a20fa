import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCache, createFileStore } from '@larder/core';
import { Liquid } from 'liquidjs';
import { liquidCache } from '../src/liquid.ts';

function setup(options: Parameters<typeof liquidCache>[1] = {}) {
  const liquid = new Liquid();
  let runs = 0;
  liquid.registerFilter('run', () => ++runs);
  const fragments = liquidCache(liquid, options);
  return { liquid, fragments, runs: () => runs };
}

describe('liquidCache', () => {
  describe('tag syntax', () => {
    it('reads positional vary values after the key, then ttl: and tags:', async () => {
      let now = 1_000_000;
      const { liquid, fragments, runs } = setup({ cache: createCache({ now: () => now }) });
      const template = `{% cache 'side', user.id, lang, ttl: 10, tags: 'users' %}{{ 0 | run }}{% endcache %}`;
      const render = (id: number) => liquid.parseAndRender(template, { user: { id }, lang: 'en' });
      assert.equal(await render(1), '1');
      assert.equal(await render(1), '1');
      assert.equal(await render(2), '2');
      now += 11_000;
      assert.equal(await render(1), '3', 'ttl: 10 expired it');
      await fragments.invalidateTags(['users']);
      assert.equal(await render(2), '4');
      assert.equal(runs(), 4);
    });

    it('takes a tag list from a variable', async () => {
      const { liquid, fragments, runs } = setup();
      const template = `{% cache 'k', tags: tags %}{{ 0 | run }}{% endcache %}`;
      await liquid.parseAndRender(template, { tags: ['a', 'b'] });
      await fragments.invalidateTags(['b']);
      await liquid.parseAndRender(template, { tags: ['a', 'b'] });
      assert.equal(runs(), 2);
    });

    it('registers the tag under another name with tagName', async () => {
      const { liquid, runs } = setup({ tagName: 'fragment' });
      const template = `{% fragment 'k' %}{{ 0 | run }}{% endfragment %}`;
      await liquid.parseAndRender(template);
      assert.equal(await liquid.parseAndRender(template), '1');
      assert.equal(runs(), 1);
    });

    for (const [title, template, message] of [
      ['a missing key', '{% cache %}x{% endcache %}', /a key expression is required/],
      ['an unknown argument', "{% cache 'k', tll: 5 %}x{% endcache %}", /unknown argument "tll"/],
      ['a block never closed', "{% cache 'k' %}x", /not closed with \{% endcache %\}/],
      ['junk after the arguments', "{% cache 'k' ) %}x{% endcache %}", /unexpected "\)"/],
    ] as const) {
      it(`fails to parse ${title}`, () => {
        const { liquid } = setup();
        assert.throws(() => liquid.parse(template), { message });
      });
    }

    it('caches under renderSync with the memory store: a hit runs nothing inside the block', () => {
      const { liquid, runs } = setup({ cache: createCache() });
      const template = `{% cache 'side', user %}[{{ 0 | run }} {{ user }}]{% endcache %}`;
      assert.equal(liquid.parseAndRenderSync(template, { user: 'ann' }), '[1 ann]');
      assert.equal(liquid.parseAndRenderSync(template, { user: 'ann' }), '[1 ann]');
      assert.equal(liquid.parseAndRenderSync(template, { user: 'bob' }), '[2 bob]');
      assert.equal(runs(), 2);
    });

    it('shares entries and tags between renderSync and render', async () => {
      const { liquid, fragments, runs } = setup({ cache: createCache() });
      const template = `{% cache 'side', user, tags: 'users' %}[{{ 0 | run }} {{ user }}]{% endcache %}`;
      const tick = () => new Promise((resolve) => setImmediate(resolve));
      assert.equal(liquid.parseAndRenderSync(template, { user: 'ann' }), '[1 ann]');
      await tick(); // a tagged write completes once the tag stamps are read
      assert.equal(await liquid.parseAndRender(template, { user: 'ann' }), '[1 ann]');
      await fragments.invalidateTags(['users']);
      assert.equal(liquid.parseAndRenderSync(template, { user: 'ann' }), '[2 ann]');
      await tick();
      assert.equal(liquid.parseAndRenderSync(template, { user: 'ann' }), '[2 ann]');
      assert.equal(runs(), 2);
    });

    it('renders every block under renderSync when the store answers asynchronously (file store)', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'larder-liquid-sync-'));
      try {
        const cache = createCache({ stores: { default: createFileStore({ dir }) } });
        const { liquid, runs } = setup({ cache });
        const template = `{% cache 'k' %}[{{ 0 | run }}]{% endcache %}`;
        assert.equal(liquid.parseAndRenderSync(template), '[1]');
        assert.equal(liquid.parseAndRenderSync(template), '[2]');
        assert.equal(
          await liquid.parseAndRender(template),
          '[3]',
          'the sync renders stored nothing',
        );
        assert.equal(await liquid.parseAndRender(template), '[3]');
        assert.equal(runs(), 3);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('fails a renderSync whose key is undefined, naming the block', () => {
      const { liquid } = setup();
      assert.throws(() => liquid.parseAndRenderSync('{% cache nope %}x{% endcache %}'), {
        message: /\{% cache %\} in a template line 1: the key evaluated to undefined/,
      });
    });

    it('renders the block body inside loops and includes with the surrounding variables', async () => {
      const { liquid, runs } = setup();
      const template = `{% for id in ids %}{% cache 'row', id %}[{{ id }}:{{ 0 | run }}]{% endcache %}{% endfor %}`;
      assert.equal(await liquid.parseAndRender(template, { ids: [1, 2, 1] }), '[1:1][2:2][1:1]');
      assert.equal(runs(), 2);
    });
  });

  describe('options', () => {
    it('throws for something that is not a Liquid instance', () => {
      assert.throws(() => liquidCache({} as Liquid), /liquidCache: the first argument must be/);
    });
    for (const [options, message] of [
      [{ tll: 1 }, /liquidCache: unknown option "tll"/],
      [{ ttl: 'soon' }, /liquidCache: option "ttl".*"soon"/],
      [{ tagName: 'cache me' }, /liquidCache: option "tagName".*"cache me"/],
    ] as const) {
      it(`throws at setup for ${JSON.stringify(options)}, naming liquidCache and the option`, () => {
        assert.throws(() => liquidCache(new Liquid(), options as never), { message });
      });
    }
  });
});
