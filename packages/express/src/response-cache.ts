import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  bindAdmin,
  createResponseCache,
  type ResponseCacheAdmin,
  type ResponseCacheOptions,
} from '@larder/http';
import {
  captureFill,
  type ResponseCachePort,
  responseCacheDriver,
  writeHeaders,
  writeReply,
} from '@larder/http/node';
import type { NextFunction, Request, Response } from 'express';
import { cacheRequestOf } from './cache-request.ts';

/** The middleware `responseCache()` returns: an Express handler that also carries the admin API. */
export interface ResponseCacheMiddleware extends ResponseCacheAdmin {
  (req: Request, res: Response, next: NextFunction): void;
}

/** Express's app is a request handler with `handle(req, res, done)` (not in its typings). */
interface ExpressApp {
  handle(req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void): void;
}

const resOf = (req: Request): Response => req.res as Response;

/** Express as the response-cache driver sees it: `req` (with `req.res`) and `next`. */
const expressPort: ResponseCachePort<Request, NextFunction> = {
  request: (req) => req,
  cacheRequest: cacheRequestOf,
  url: (req) => req.originalUrl,
  serve: (req, _next, reply) => writeReply(req, resOf(req), reply),
  passHeaders: (req, _next, headers) => writeHeaders(resOf(req), headers),
  lend(req, _next, control) {
    resOf(req).locals.responseCache = control;
  },
  next(_req, next) {
    next();
    return undefined;
  },
  capture(req, next, steps) {
    captureFill(resOf(req), steps);
    next();
    return undefined;
  },
  halt() {},
  fail(_req, next, error) {
    next(error);
    return undefined;
  },
  rerun(req, copy, res) {
    const app = req.app as unknown as ExpressApp;
    return new Promise<void>((resolve, reject) => {
      // Express calls `done` only when no handler answered: with an error, or to fall through.
      app.handle(copy, res, (error) => {
        if (error === undefined || error === null || error === 'route' || error === 'router') {
          resolve();
        } else reject(error);
      });
    });
  },
};

/**
 * Caches whole responses: app-wide (`app.use`), on a router, or on one route. Every decision is
 * made by the engine of `@larder/http` and every step around it by its driver
 * (`@larder/http/node`); this middleware only translates between Express and them. When an
 * app-wide and a route-level `responseCache` both apply, the route's takes over and one entry is
 * made. Without `store`, the instances of one app share that app's memory store.
 *
 * @param options - keying, ttl, stale windows, store, see {@link ResponseCacheOptions}
 * @example
 * const cache = responseCache({ ttl: '1m' });
 * app.use(cache);
 * app.get('/posts', responseCache({ ttl: 30, query: ['page'] }), listPosts);
 * await cache.invalidatePath('/posts');
 */
export function responseCache(options: ResponseCacheOptions = {}): ResponseCacheMiddleware {
  const engine = createResponseCache(options);
  const drive = responseCacheDriver(engine, expressPort);

  function responseCacheMiddleware(req: Request, _res: Response, next: NextFunction): void {
    const running = drive(req, next);
    if (running !== undefined) running.catch(next);
  }

  return Object.assign(responseCacheMiddleware, bindAdmin(engine));
}
