import {
  bindAdmin,
  createResponseCache,
  type ResponseCacheAdmin,
  type ResponseCacheOptions,
} from '@larder/http';
import {
  mayBeRecoded,
  type ResponseCachePort,
  recodeEtag,
  responseCacheDriver,
  writeHeaders,
} from '@larder/http/node';
import type { Context, Middleware, Next } from 'koa';
import { beforeRespond } from './before-respond.ts';
import { cacheRequestOf } from './cache-request.ts';
import { captureFill } from './capture-fill.ts';
import { sendReply } from './send-reply.ts';

/** The middleware `responseCache()` returns: a Koa middleware that also carries the admin API. */
export interface ResponseCacheMiddleware extends ResponseCacheAdmin {
  (ctx: Context, next: Next): Promise<void>;
}

const DONE: Promise<void> = Promise.resolve();

/**
 * Caches whole responses: app-wide (`app.use`), on a router, or on one route. Every decision is
 * made by the engine of `@larder/http` and every step around it by its driver
 * (`@larder/http/node`); this middleware only translates between Koa and them. When an app-wide
 * and a route-level `responseCache` both apply, the route's takes over and one entry is made.
 * Without `store`, the instances of one app share that app's memory store.
 * Placed first in the app, it writes hits straight to `ctx.res` (`ctx.respond = false`); anywhere
 * else a hit goes through `ctx.status` and `ctx.body`, so the middleware before it see the reply.
 *
 * @param options - keying, ttl, stale windows, store, see {@link ResponseCacheOptions}
 * @example
 * const cache = responseCache({ ttl: '1m' });
 * app.use(cache);
 * router.get('/posts', responseCache({ ttl: 30, query: ['page'] }), listPosts);
 * await cache.invalidatePath('/posts');
 */
export function responseCache(options: ResponseCacheOptions = {}): ResponseCacheMiddleware {
  const engine = createResponseCache(options);
  const drive = responseCacheDriver(
    engine,
    koaPort(() => responseCacheMiddleware),
  );

  // Not `async`: a hit (the common case) answers synchronously and returns a settled promise,
  // with no async frame or promise made per request.
  function responseCacheMiddleware(ctx: Context, next: Next): Promise<void> {
    return drive(ctx, next) ?? DONE;
  }

  return Object.assign(responseCacheMiddleware, bindAdmin(engine));
}

/** Koa as the driver sees it; `self` is the middleware, to know when it runs first in the app. */
function koaPort(self: () => Middleware): ResponseCachePort<Context, Next> {
  return {
    request: (ctx) => ctx.req,
    cacheRequest: cacheRequestOf,
    url: (ctx) => ctx.originalUrl,
    serve(ctx, _next, reply) {
      if (ctx.app.middleware[0] === self()) {
        // First in the app, no middleware runs after the reply to read or change `ctx.body`: the
        // reply goes straight to `ctx.res`, past Koa's setters and its response.
        ctx.respond = false;
        ctx.res.writeHead(reply.status, reply.headers);
        ctx.res.end(reply.body);
        return;
      }
      sendReply(ctx, reply);
      // Compression outside the cache may encode the reply: its strong ETag gets the coding's suffix.
      if (mayBeRecoded(ctx.req.headers['accept-encoding'], reply.headers)) {
        beforeRespond(ctx, () => recodeEtag(ctx.res));
      }
    },
    passHeaders: (ctx, _next, headers) => writeHeaders(ctx.res, headers),
    lend(ctx, _next, control) {
      ctx.state.responseCache = control;
    },
    next: (_ctx, next) => next(),
    capture: captureFill,
    halt(ctx) {
      ctx.respond = false;
    },
    fail: (_ctx, _next, error) => Promise.reject(error),
    rerun: (ctx, copy, res) => ctx.app.callback()(copy, res),
  };
}
