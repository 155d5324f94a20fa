import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCache } from '@larder/core';
import nunjucks from 'nunjucks';
import { nunjucksCache } from '../src/nunjucks.ts';

function setup(
  options: Parameters<typeof nunjucksCache>[1] = {},
  templates: Record<string, string> = {},
) {
  const env = new nunjucks.Environment(new MemoryLoader(templates), {
    autoescape: true,
  });
  let runs = 0;
  env.addGlobal('run', () => ++runs);
  const fragments = nunjucksCache(env, options);
  const render = (source: string, context: object = {}) =>
    new Promise<string>((resolve, reject) =>
      env.renderString(source, context, (error, html) =>
        error ? reject(error) : resolve(html ?? ''),
      ),
    );
  return { env, fragments, render, runs: () => runs };
}

/** Templates from a record, for `{% include %}`. */
class MemoryLoader extends nunjucks.Loader {
  constructor(private readonly templates: Record<string, string>) {
    super();
  }
  getSource(name: string): nunjucks.LoaderSource {
    const src = this.templates[name];
    if (src === undefined) throw new Error(`no template ${name}`);
    return { src, path: name, noCache: false };
  }
}

describe('nunjucksCache', () => {
  describe('tag syntax', () => {
    it('reads positional vary values after the key, then ttl= and tags=', async () => {
      let now = 1_000_000;
      const { render, fragments, runs } = setup({ cache: createCache({ now: () => now }) });
      const template = `{% cache "side", user.id, lang, ttl=10, tags=["users"] %}{{ run() }}{% endcache %}`;
      const page = (id: number) => render(template, { user: { id }, lang: 'en' });
      assert.equal(await page(1), '1');
      assert.equal(await page(1), '1');
      assert.equal(await page(2), '2');
      now += 11_000;
      assert.equal(await page(1), '3', 'ttl=10 expired it');
      await fragments.invalidateTags(['users']);
      assert.equal(await page(2), '4');
      assert.equal(runs(), 4);
    });

    it('marks the cached HTML safe: autoescaped text is escaped once, on hits too', async () => {
      const { render } = setup();
      const template = `{% cache "k" %}<b>{{ name }}</b>{% endcache %}`;
      assert.equal(await render(template, { name: '<i>' }), '<b>&lt;i&gt;</b>');
      assert.equal(await render(template, { name: '<i>' }), '<b>&lt;i&gt;</b>');
    });

    it('caches blocks written directly inside a for loop, one entry per vary value', async () => {
      const { render, runs } = setup();
      const template = `{% for id in [1, 2, 1] %}{% cache "row", id %}[{{ id }}:{{ run() }}]{% endcache %}{% endfor %}`;
      assert.equal(await render(template), '[1:1][2:2][1:1]');
      assert.equal(runs(), 2);
    });

    it('caches blocks in an included template inside asyncEach (a plain for loop would drop them)', async () => {
      const row = `{% cache "row", id %}[{{ id }}:{{ run() }}]{% endcache %}`;
      const { render, runs } = setup({}, { 'row.njk': row });
      const template = `{% asyncEach id in [1, 2, 1] %}{% include "row.njk" %}{% endeach %}`;
      assert.equal(await render(template), '[1:1][2:2][1:1]');
      assert.equal(runs(), 2);
    });

    it('registers the tag under another name with tagName', async () => {
      const { render, runs } = setup({ tagName: 'fragment' });
      const template = `{% fragment "k" %}{{ run() }}{% endfragment %}`;
      await render(template);
      assert.equal(await render(template), '1');
      assert.equal(runs(), 1);
    });

    for (const [title, template, message] of [
      ['a missing key', '{% cache %}x{% endcache %}', /a key expression is required/],
      ['an unknown argument', '{% cache "k", tll=5 %}x{% endcache %}', /unknown argument "tll"/],
    ] as const) {
      it(`fails to compile ${title}`, async () => {
        const { render } = setup();
        await assert.rejects(render(template), { message });
      });
    }

    it('fails the render when the key is undefined', async () => {
      const { render } = setup();
      await assert.rejects(
        render('{% cache "k", nope %}x{% endcache %}'),
        /vary value #1 evaluated to undefined/,
      );
    });
  });

  describe('options', () => {
    it('throws for something that is not an Environment', () => {
      assert.throws(
        () => nunjucksCache({} as nunjucks.Environment),
        /nunjucksCache: the first argument/,
      );
    });
    for (const [options, message] of [
      [{ tll: 1 }, /nunjucksCache: unknown option "tll"/],
      [{ staleIfError: -1 }, /nunjucksCache: option "staleIfError".*-1/],
      [{ enabled: 'yes' }, /nunjucksCache: option "enabled"/],
    ] as const) {
      it(`throws at setup for ${JSON.stringify(options)}, naming nunjucksCache and the option`, () => {
        assert.throws(() => nunjucksCache(new nunjucks.Environment(), options as never), {
          message,
        });
      });
    }
  });
});
