import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import koaEjs from '@koa/ejs';
import Router from '@koa/router';
import views from '@ladjs/koa-views';
import { createCache } from '@larder/core';
import Koa from 'koa';
import request from 'supertest';
import { cachedRender, type KoaCachedRenderOptions } from '../src/index.ts';

const root = fileURLToPath(new URL('./fixtures/cached-render/', import.meta.url));

/** A Koa app whose `/post/:name` renders `post` through `cachedRender`, counting template runs. */
function app(setup: (app: Koa) => void, options: KoaCachedRenderOptions = {}, view = 'post') {
  let runs = 0;
  const server = new Koa();
  server.silent = true;
  server.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = 500;
      ctx.type = 'text';
      ctx.body = (error as Error).message;
    }
  });
  setup(server);
  const router = new Router();
  router.get('/post/:name', async (ctx) => {
    const name = ctx.params.name ?? '';
    await cachedRender(ctx, view, { name, count: () => ++runs }, { key: name, ...options });
  });
  server.use(router.routes());
  return { http: () => request(server.callback()), runs: () => runs };
}

describe('cachedRender on Koa', () => {
  describe('with @ladjs/koa-views', () => {
    const withViews = () => (server: Koa) => {
      server.use(views(root, { extension: 'ejs' }));
    };

    it('renders through ctx.render once per key and replays the HTML on a hit', async () => {
      const a = app(withViews());
      const first = await a.http().get('/post/Ada').expect(200);
      assert.equal(first.text, '<p>Hello Ada (render 1)</p>\n');
      assert.match(String(first.headers['content-type']), /^text\/html/);
      await a.http().get('/post/Ada').expect(200, first.text);
      await a.http().get('/post/Bob').expect(200, '<p>Hello Bob (render 2)</p>\n');
      assert.equal(a.runs(), 2);
    });

    it('fails clearly, and caches nothing, when koa-views streams an unmapped .html file', async () => {
      const cache = createCache();
      const a = app((s) => s.use(views(root)), { cache }, 'plain');
      const res = await a.http().get('/post/Dee').expect(500);
      assert.match(res.text, /cachedRender: rendering "plain" produced .*not an HTML string/);
      assert.equal(await cache.get('render:plain:Dee'), undefined);
      await a.http().get('/post/Dee').expect(500);
    });
  });

  describe('with @koa/ejs', () => {
    it('renders through ctx.render (layout included) once per key', async () => {
      const a = app((server) => koaEjs(server, { root, viewExt: 'ejs', layout: 'layout' }));
      const first = await a.http().get('/post/Eve').expect(200);
      assert.equal(first.text, '<p>Hello Eve (render 1)</p>\n');
      await a.http().get('/post/Eve').expect(200, first.text);
      assert.equal(a.runs(), 1);
    });
  });

  describe('with an explicit render option', () => {
    it('uses it in place of ctx.render', async () => {
      const seen: string[] = [];
      const a = app(() => {}, {
        render: (view, locals) => {
          seen.push(view);
          return `<b>${String(locals.name)}</b>`;
        },
      });
      await a.http().get('/post/Fay').expect(200, '<b>Fay</b>');
      await a.http().get('/post/Fay').expect(200, '<b>Fay</b>');
      assert.deepEqual(seen, ['post']);
    });

    it('merges the locals over ctx.state, as ctx.render does', async () => {
      const a = app(
        (server) =>
          server.use(async (ctx, next) => {
            ctx.state.site = 'Larder';
            ctx.state.name = 'overridden';
            await next();
          }),
        { render: (_view, locals) => `${String(locals.site)}: ${String(locals.name)}` },
      );
      await a.http().get('/post/Ivy').expect(200, 'Larder: Ivy');
    });

    it('fails clearly when the renderer returns no string', async () => {
      const a = app(() => {}, { render: () => undefined as unknown as string });
      const res = await a.http().get('/post/Gus').expect(500);
      assert.match(
        res.text,
        /cachedRender: rendering "post" produced undefined, not an HTML string/,
      );
    });
  });

  it('fails clearly when there is neither ctx.render nor a render option', async () => {
    const a = app(() => {});
    const res = await a.http().get('/post/Hal').expect(500);
    assert.match(res.text, /ctx\.render is missing/);
  });

  describe('options', () => {
    const ctx = { app: new Koa() } as unknown as Koa.Context;
    const cases: Array<[string, KoaCachedRenderOptions, RegExp]> = [
      ['an unknown option', { tll: 5 } as never, /cachedRender: unknown option "tll"/],
      [
        'a render that is not a function',
        { render: 'ejs' } as never,
        /option "render" must be a function/,
      ],
      ['a key that is not a string', { key: 7 } as never, /option "key" must be a string, got 7/],
      ['a cache without wrap', { cache: {} } as never, /option "cache" must be a Cache/],
      ['tags that are not strings', { tags: [''] }, /option "tags" must be an array/],
      [
        'a negative staleWhileRevalidate',
        { staleWhileRevalidate: -1 },
        /"staleWhileRevalidate".*-1/,
      ],
    ];
    for (const [title, options, message] of cases) {
      it(`rejects ${title}, naming cachedRender and the option`, async () => {
        await assert.rejects(cachedRender(ctx, 'post', {}, options), { message });
      });
    }
  });
});
