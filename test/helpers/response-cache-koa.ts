import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { ResponseCacheAdmin } from '@larder/http';
import * as larderKoa from '@larder/koa';
import Koa from 'koa';
import koaCompress from 'koa-compress';
import { type Exchange, type Framework, listen, prepare } from './response-cache-harness.ts';
import { fixtures } from './view-engine.ts';

/** Builds an `AppSpec` as a real Koa 3 app. */
export const koa3: Framework = {
  name: 'koa',
  async build(spec) {
    const { views, options: withStore, finish } = prepare(spec);
    const app = new Koa();
    app.silent = true;
    app.proxy = spec.trustProxy === true;
    const rewrite = spec.rewrite;
    if (rewrite !== undefined) {
      app.use((ctx, next) => {
        const url = rewrite(ctx.url, (name) => ctx.get(name) || undefined);
        if (url !== undefined) ctx.url = url;
        return next();
      });
    }
    if (spec.compression === 'outer') app.use(koaCompress({ threshold: 0 }));
    const appOptions = withStore(spec.cache);
    const appCache = appOptions && larderKoa.responseCache(appOptions);
    if (appCache) app.use(appCache);
    if (spec.compression === 'inner') app.use(koaCompress({ threshold: 0 }));
    const router = new Router();
    const routes = new Map<string, ResponseCacheAdmin>();
    for (const route of spec.routes) {
      const options = withStore(route.cache);
      const handler = async (ctx: Koa.Context): Promise<void> => {
        await route.handler(koaExchange(ctx, views.render));
      };
      if (options) {
        const cache = larderKoa.responseCache(options);
        routes.set(route.path, cache);
        router.all(route.path, cache, handler);
      } else router.all(route.path, handler);
    }
    app.use(router.routes());
    const outerCompression = spec.compression === 'outer';
    const handler =
      spec.front === true ? larderKoa.cacheFront(app, { outerCompression }) : app.callback();
    return finish(await listen(handler), appCache, routes);
  },
};

function koaExchange(
  ctx: Koa.Context,
  render: (view: string, locals: Record<string, unknown>) => Promise<string>,
): Exchange {
  return {
    framework: 'koa',
    method: ctx.method,
    header: (name) => ctx.get(name) || undefined,
    query: (name) => ctx.query[name],
    host: () => ctx.host,
    status: (code) => {
      ctx.status = code;
    },
    set: (name, value) => ctx.set(name, value),
    send: (body) => {
      if (typeof body === 'string' && !ctx.response.get('Content-Type')) ctx.type = 'html';
      ctx.body = body;
    },
    writeHead(status, headers, body) {
      ctx.status = status;
      ctx.set(headers);
      ctx.body = body;
    },
    json: (value) => {
      ctx.body = value;
    },
    async chunks(parts) {
      ctx.body = Readable.from(parts);
    },
    async pipe(parts) {
      ctx.body = Readable.from(parts);
    },
    async file(name) {
      ctx.type = extname(name);
      ctx.body = createReadStream(`${fixtures}${name}`);
    },
    async render(view, locals) {
      ctx.type = 'html';
      ctx.body = await render(view, locals);
    },
    fail(message) {
      throw new Error(message);
    },
    tag: (...tags) => larderKoa.cacheTags(ctx, ...tags),
    skip: () => larderKoa.skipCache(ctx),
    ttl: (duration) => larderKoa.cacheTtl(ctx, duration),
  };
}
