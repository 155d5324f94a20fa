import {
  bindAdmin,
  createResponseCache,
  type Decision,
  type Fill,
  type Reply,
  type ResponseCacheAdmin,
  type ResponseCacheOptions,
} from '@larder/http';
import {
  adoptRefresh,
  hideValidators,
  markFilling,
  mayBeRecoded,
  type Refreshing,
  roleOf,
  watchLateHeaders,
  writeHeaders,
} from '@larder/http/node';
import type { NextFunction, Request, Response } from 'express';
import { refreshInBackground } from './background-refresh.ts';
import { cacheRequestOf } from './cache-request.ts';
import { captureResponse } from './capture-response.ts';

/** The middleware `responseCache()` returns: an Express handler that also carries the admin API. */
export interface ResponseCacheMiddleware extends ResponseCacheAdmin {
  (req: Request, res: Response, next: NextFunction): void;
}

/**
 * Caches whole responses: app-wide (`app.use`), on a router, or on one route. Every decision is
 * made by the engine of `@larder/http`; this middleware only translates between Express and it.
 * When an app-wide and a route-level `responseCache` both apply, the route's takes over and one
 * entry is made. Without `store`, the instances of one app share that app's memory store.
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

  function responseCacheMiddleware(req: Request, res: Response, next: NextFunction): void {
    const role = roleOf(req, engine);
    if (role.kind === 'client') {
      const decision = engine.handle(cacheRequestOf(req));
      if (decision instanceof Promise) {
        decision.then((d) => act(d, req, res, next)).catch(next);
      } else act(decision, req, res, next);
    } else if (role.kind === 'take-over') takeOverRefresh(req, res, next, role.mark);
    else {
      // Someone else's refresh, or this instance's own: the capture refreshInBackground set up
      // feeds the fill, so lend its control and let the request through to the handler.
      if (role.kind === 'own-refresh') res.locals.responseCache = role.mark.fill.control;
      next();
    }
  }

  function act(decision: Decision, req: Request, res: Response, next: NextFunction): void {
    if (decision.kind === 'serve') {
      sendReply(req, res, decision.reply);
      if (decision.refresh !== undefined) refreshInBackground(req, engine, decision.refresh);
    } else if (decision.kind === 'pass') {
      writeHeaders(res, decision.headers);
      next();
    } else fillFromHandler(req, res, next, decision.fill);
  }

  /** An app-wide instance's refresh reached this route-level one, which takes it over. */
  function takeOverRefresh(
    req: Request,
    res: Response,
    next: NextFunction,
    refresh: Refreshing,
  ): void {
    const adopt = (decision: Decision): void => {
      const fill = adoptRefresh(refresh, engine, decision);
      if (fill === undefined) return;
      res.locals.responseCache = fill.control;
      next();
    };
    const decision = engine.handle(cacheRequestOf(req));
    if (decision instanceof Promise) decision.then(adopt).catch(next);
    else adopt(decision);
  }

  return Object.assign(responseCacheMiddleware, bindAdmin(engine));
}

function fillFromHandler(req: Request, res: Response, next: NextFunction, fill: Fill): void {
  const restore = hideValidators(req);
  const capture = captureResponse(res, {
    maxBodySize: fill.maxBodySize,
    finish(response) {
      restore();
      unmark();
      return fill.respond(response);
    },
    overflow(reason) {
      restore();
      return fill.abandon(reason);
    },
  });
  const unmark = markFilling(req, () => {
    restore();
    unmark();
    capture.release();
    fill.abandon('superseded');
  });
  res.locals.responseCache = fill.control;
  next();
}

/**
 * Writes a hit, a 304 or a stale entry in one go: the engine has prepared every header. When
 * compression outside the cache may encode it, its strong ETag gets the coding's suffix.
 */
function sendReply(req: Request, res: Response, reply: Reply): void {
  if (!mayBeRecoded(req.headers['accept-encoding'], reply.headers)) {
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
    return;
  }
  const unwatch = watchLateHeaders(res, undefined);
  try {
    res.writeHead(reply.status, reply.headers);
  } finally {
    unwatch();
  }
  res.end(reply.body);
}
