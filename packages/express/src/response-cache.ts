import {
  createResponseCache,
  type Decision,
  type Fill,
  type OutgoingHeaders,
  type Reply,
  type ResponseCacheAdmin,
  type ResponseCacheEngine,
  type ResponseCacheOptions,
} from '@larder/http';
import type { NextFunction, Request, Response } from 'express';
import { refreshInBackground } from './background-refresh.ts';
import { toCacheRequest } from './cache-request.ts';
import { captureResponse } from './capture-response.ts';
import { activeFill, type MarkedRequest, type Refreshing, refreshing } from './request-marks.ts';

/** The middleware `responseCache()` returns: an Express handler that also carries the admin API. */
export interface ResponseCacheMiddleware extends ResponseCacheAdmin {
  (req: Request, res: Response, next: NextFunction): void;
}

// Validators Express (`res.send`, `res.sendFile`) would answer with a bodiless 304 on a miss; the
// engine answers them itself from the stored entry (RFC 9110 §13.1), so the handler must produce the 200.
const CONDITIONAL = ['if-none-match', 'if-modified-since'] as const;

/**
 * Caches whole responses: app-wide (`app.use`), on a router, or on one route. Every decision is
 * made by the engine of `@larder/http`; this middleware only translates between Express and it.
 * When an app-wide and a route-level `responseCache` both apply, the route's takes over and one
 * entry is made. Without `store`, every instance shares one memory store.
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
    const marked = req as MarkedRequest;
    const refresh = marked[refreshing];
    if (refresh !== undefined) {
      // A detached background refresh: the instance that owns it lends its control and lets it through.
      if (refresh.engine === engine) {
        refresh.reached = true;
        res.locals.responseCache = refresh.fill.control;
        next();
      } else if (refresh.reached) takeOverRefresh(req, res, next, refresh);
      else next();
      return;
    }
    marked[activeFill]?.standAside();
    const decision = engine.handle(toCacheRequest(req));
    if (isPromise(decision)) {
      decision.then((d) => act(d, req, res, next)).catch(next);
    } else act(decision, req, res, next);
  }

  function act(decision: Decision, req: Request, res: Response, next: NextFunction): void {
    if (decision.kind === 'serve') {
      sendReply(res, decision.reply);
      if (decision.refresh !== undefined) refreshInBackground(req, engine, decision.refresh);
    } else if (decision.kind === 'pass') {
      setHeaders(res, decision.headers);
      next();
    } else fillFromHandler(req, res, next, decision.fill);
  }

  /**
   * An app-wide instance's refresh reached this route-level one: as on a client request, the
   * route's options win, so this engine decides and its fill (or refresh) replaces the outer's.
   */
  function takeOverRefresh(
    req: Request,
    res: Response,
    next: NextFunction,
    refresh: Refreshing,
  ): void {
    const adopt = (decision: Decision): void => {
      const fill =
        decision.kind === 'fill'
          ? decision.fill
          : decision.kind === 'serve'
            ? decision.refresh
            : undefined;
      refresh.fill.abandon('skipped');
      if (fill === undefined) {
        // Nothing for this engine to refresh (fresh already, or not cacheable): stop here.
        refresh.settled = true;
        return;
      }
      refresh.engine = engine;
      refresh.fill = fill;
      res.locals.responseCache = fill.control;
      next();
    };
    const decision = engine.handle(toCacheRequest(req));
    if (isPromise(decision)) decision.then(adopt).catch(next);
    else adopt(decision);
  }

  return Object.assign(responseCacheMiddleware, adminOf(engine));
}

function fillFromHandler(req: Request, res: Response, next: NextFunction, fill: Fill): void {
  const marked = req as MarkedRequest;
  const original = req.headers;
  if (original['if-none-match'] !== undefined || original['if-modified-since'] !== undefined) {
    const hidden = { ...original };
    for (const name of CONDITIONAL) delete hidden[name];
    req.headers = hidden;
  }
  const capture = captureResponse(res, {
    maxBodySize: fill.maxBodySize,
    finish(response) {
      req.headers = original;
      if (marked[activeFill] === active) marked[activeFill] = undefined;
      return fill.complete(response);
    },
    overflow(reason) {
      req.headers = original;
      return fill.abandon(reason);
    },
    abort() {
      fill.abandon('uncapturable');
    },
  });
  const active = {
    standAside() {
      req.headers = original;
      marked[activeFill] = undefined;
      capture.release();
      fill.abandon('skipped');
    },
  };
  marked[activeFill] = active;
  res.locals.responseCache = fill.control;
  next();
}

/** Writes a hit, a 304 or a stale entry in one go: the engine has prepared every header. */
function sendReply(res: Response, reply: Reply): void {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}

function setHeaders(res: Response, headers: OutgoingHeaders): void {
  for (const name in headers) res.setHeader(name, headers[name] as string | string[]);
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

function adminOf(engine: ResponseCacheEngine): ResponseCacheAdmin {
  return {
    invalidate: (key) => engine.invalidate(key),
    invalidatePath: (path) => engine.invalidatePath(path),
    invalidateTags: (tags) => engine.invalidateTags(tags),
    invalidatePrefix: (prefix) => engine.invalidatePrefix(prefix),
    clear: () => engine.clear(),
    stats: () => engine.stats(),
  };
}
