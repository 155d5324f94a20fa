import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, describe, it } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import request from 'supertest';
import { cacheHeaders, etagCache } from '../src/index.ts';

async function serve(app: Koa): Promise<Server> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

/** What koa-conditional-get does: after the handler, a 304 whenever `ctx.fresh`. */
const conditionalGet: Koa.Middleware = async (ctx, next) => {
  await next();
  if (ctx.fresh) {
    ctx.status = 304;
    ctx.body = null;
  }
};

describe('Koa: etagCache', () => {
  it('keeps a conditional-get middleware from answering 304 by looser date rules', async () => {
    const app = new Koa();
    app.use(conditionalGet);
    app.use(async (ctx) => {
      ctx.set('Last-Modified', 'Sun, 06 Nov 1994 08:49:37 GMT');
      if (etagCache(ctx, 'v1')) return;
      ctx.body = 'body';
    });
    const server = await serve(app);
    // Not a valid HTTP-date (RFC 9110 §13.1.3), though Date.parse reads it.
    await request(server)
      .get('/')
      .set('If-Modified-Since', 'Mon, 07 Nov 2094 08:49:37 PST')
      .expect(200);
    await request(server).get('/').set('If-None-Match', '"v1"').expect(304);
  });

  it('still sends a bodiless 304 when the handler ignores the result and sets a body', async () => {
    const app = new Koa();
    app.use(async (ctx) => {
      etagCache(ctx, 'v1');
      ctx.body = 'should not be sent';
    });
    const res = await request(await serve(app))
      .get('/')
      .set('If-None-Match', '"v1"')
      .expect(304);
    assert.equal(res.text, '');
    assert.equal(res.headers['content-type'], undefined);
  });
});

describe('Koa: cacheHeaders', () => {
  const errors: Array<{
    label: string;
    status: number;
    setup: (app: Koa) => void;
    keeps?: Record<string, string>;
  }> = [
    {
      label: 'adds no-store to a thrown error and keeps the error’s own headers',
      status: 503,
      keeps: { 'retry-after': '5' },
      setup: (app) => {
        app.use(async (ctx) => {
          ctx.set('Cache-Control', 'public, max-age=60');
          ctx.throw(503, 'busy', { headers: { 'Retry-After': '5' } });
        });
      },
    },
    {
      label: 'marks no-store when an inner error handler turned the error into a 500',
      status: 500,
      setup: (app) => {
        app.use(async (ctx, next) => {
          try {
            await next();
          } catch {
            ctx.status = 500;
            ctx.body = 'sorry';
          }
        });
        app.use(async (ctx) => {
          ctx.set('Cache-Control', 'max-age=60');
          throw new Error('boom');
        });
      },
    },
    {
      label: 'treats Koa’s default 404 (no route matched) as an error',
      status: 404,
      setup: () => {},
    },
  ];
  for (const { label, status, setup, keeps = {} } of errors) {
    it(label, async () => {
      const app = new Koa();
      app.silent = true;
      app.use(cacheHeaders({ cacheControl: { maxAge: 60 } }));
      setup(app);
      const res = await request(await serve(app))
        .get('/')
        .expect(status);
      assert.equal(res.headers['cache-control'], 'no-store');
      for (const [name, value] of Object.entries(keeps)) assert.equal(res.headers[name], value);
    });
  }

  it('applies router-wide only to that router', async () => {
    const app = new Koa();
    const router = new Router();
    router.use(cacheHeaders({ cacheControl: { public: true, maxAge: 30 } }));
    router.get('/in', (ctx) => {
      ctx.body = 'in';
    });
    app.use(router.routes());
    app.use(async (ctx) => {
      if (ctx.path === '/out') ctx.body = 'out';
    });
    const server = await serve(app);
    assert.equal((await request(server).get('/in')).headers['cache-control'], 'public, max-age=30');
    assert.equal((await request(server).get('/out')).headers['cache-control'], undefined);
  });

  it('throws at setup, naming cacheHeaders, the option and the value', () => {
    assert.throws(
      () => cacheHeaders({ noCache: 1 as unknown as boolean }),
      /^TypeError: cacheHeaders: option "noCache"/,
    );
  });
});
