/**
 * Small Express and Koa apps for the `cacheFront` tests: one middleware ahead of the cache (as a
 * logger would be) and counted routes, each app listening twice on 127.0.0.1 — through
 * `cacheFront(app)` and as the plain app — so a test compares the two and counts what ran.
 */
import Router from '@koa/router';
import * as larderExpress from '@larder/express';
import type { ResponseCacheAdmin, ResponseCacheOptions } from '@larder/http';
import type { CacheFrontHandler, CacheFrontOptions } from '@larder/http/node';
import * as larderKoa from '@larder/koa';
import express from 'express';
import Koa from 'koa';
import { serve } from './front-serve.ts';

/** What a route's handler may do: set headers and send a text body; `n` counts its calls from 1. */
export type FrontRespond = (
  n: number,
  req: { readonly headers: Record<string, string | string[] | undefined> },
) => { status?: number; headers?: Record<string, string>; body: string };

export interface FrontRouteSpec {
  readonly path: string;
  /** Options of the route-level `responseCache`; none for an uncached route. */
  readonly cache?: ResponseCacheOptions;
  readonly respond: FrontRespond;
}

export interface FrontApp {
  /** Base URL of the server whose handler is `cacheFront(app)`. */
  readonly front: string;
  /** Base URL of the server running the plain app. */
  readonly plain: string;
  readonly handler: CacheFrontHandler;
  /** How often the middleware ahead of the cache ran. */
  middleware(): number;
  /** How often the route at `path` ran its handler. */
  calls(path: string): number;
  cache(path: string): ResponseCacheAdmin;
  /** The application object (Express `app`, Koa application). */
  readonly app: object;
}

export interface FrontFramework {
  readonly name: 'express' | 'koa';
  build(routes: readonly FrontRouteSpec[], options?: CacheFrontOptions): Promise<FrontApp>;
}

function counters(routes: readonly FrontRouteSpec[]) {
  const calls = new Map<string, number>(routes.map((r) => [r.path, 0]));
  const caches = new Map<string, ResponseCacheAdmin>();
  let middleware = 0;
  return {
    ran: () => void middleware++,
    call(path: string): number {
      const n = (calls.get(path) ?? 0) + 1;
      calls.set(path, n);
      return n;
    },
    caches,
    view: {
      middleware: () => middleware,
      calls: (path: string) => calls.get(path) ?? 0,
      cache(path: string): ResponseCacheAdmin {
        const cache = caches.get(path);
        if (cache === undefined) throw new Error(`no responseCache on ${path}`);
        return cache;
      },
    },
  };
}

export const expressFront: FrontFramework = {
  name: 'express',
  async build(routes, options) {
    const count = counters(routes);
    const app = express();
    app.use((_req, _res, next) => {
      count.ran();
      next();
    });
    for (const route of routes) {
      const handler = (req: express.Request, res: express.Response): void => {
        const out = route.respond(count.call(route.path), req);
        res
          .status(out.status ?? 200)
          .set(out.headers ?? {})
          .send(out.body);
      };
      if (route.cache === undefined) app.all(route.path, handler);
      else {
        const cache = larderExpress.responseCache(route.cache);
        count.caches.set(route.path, cache);
        app.all(route.path, cache, handler);
      }
    }
    const front = larderExpress.cacheFront(app, options);
    return {
      front: await serve(front),
      plain: await serve(app),
      handler: front,
      app,
      ...count.view,
    };
  },
};

export const koaFront: FrontFramework = {
  name: 'koa',
  async build(routes, options) {
    const count = counters(routes);
    const app = new Koa();
    app.silent = true;
    app.use((_ctx, next) => {
      count.ran();
      return next();
    });
    const router = new Router();
    for (const route of routes) {
      const handler = (ctx: Koa.Context): void => {
        const out = route.respond(count.call(route.path), ctx.req);
        ctx.status = out.status ?? 200;
        ctx.set(out.headers ?? {});
        ctx.type = 'html';
        ctx.body = out.body;
      };
      if (route.cache === undefined) router.all(route.path, handler);
      else {
        const cache = larderKoa.responseCache(route.cache);
        count.caches.set(route.path, cache);
        router.all(route.path, cache, handler);
      }
    }
    app.use(router.routes());
    const front = larderKoa.cacheFront(app, options);
    return {
      front: await serve(front),
      plain: await serve(app.callback()),
      handler: front,
      app,
      ...count.view,
    };
  },
};

export const frontFrameworks: readonly FrontFramework[] = [expressFront, koaFront];
