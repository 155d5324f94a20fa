import {
  createResponseCache,
  type Fill,
  type OutgoingHeaders,
  type Reply,
  type ResponseCacheAdmin,
  type ResponseCacheEngine,
  type ResponseCacheOptions,
} from '@larder/http';
import type { Context, Next } from 'koa';
import { refreshInBackground } from './background-refresh.ts';
import { toCacheRequest } from './cache-request.ts';
import { type CapturedBody, captureBody } from './capture-body.ts';
import {
  activeFill,
  type MarkedContext,
  type MarkedRequest,
  type Refreshing,
  refreshing,
} from './request-marks.ts';

/** The middleware `responseCache()` returns: a Koa middleware that also carries the admin API. */
export interface ResponseCacheMiddleware extends ResponseCacheAdmin {
  (ctx: Context, next: Next): Promise<void>;
}

// Validators a conditional-get middleware below would turn into a bodiless 304 on a miss; the
// engine answers them itself from the stored entry (RFC 9110 §13.1), so the handler must produce the 200.
const CONDITIONAL = ['if-none-match', 'if-modified-since'] as const;
const EMPTY = Buffer.alloc(0);
// Statuses Koa sends without a body (RFC 9110 §15.3.5, §15.4.5).
const BODILESS = new Set([204, 205, 304]);

/**
 * Caches whole responses: app-wide (`app.use`), on a router, or on one route. Every decision is
 * made by the engine of `@larder/http`; this middleware only translates between Koa and it.
 * When an app-wide and a route-level `responseCache` both apply, the route's takes over and one
 * entry is made. Without `store`, every instance shares one memory store.
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

  async function responseCacheMiddleware(ctx: Context, next: Next): Promise<void> {
    const refresh = (ctx.req as MarkedRequest)[refreshing];
    if (refresh !== undefined) {
      // A detached background refresh: the instance that owns it captures what the handler answers.
      if (refresh.engine !== engine) {
        if (!refresh.reached) return next();
        if (!(await takeOverRefresh(ctx, refresh))) return;
      }
      refresh.reached = true;
      refresh.settled = true;
      ctx.respond = false;
      await fillFromHandler(ctx, next, refresh.fill, true);
      return;
    }
    (ctx as MarkedContext)[activeFill]?.standAside();
    let decision = engine.handle(toCacheRequest(ctx));
    if (isPromise(decision)) decision = await decision;
    if (decision.kind === 'serve') {
      sendReply(ctx, decision.reply);
      if (decision.refresh !== undefined) refreshInBackground(ctx, engine, decision.refresh);
      return;
    }
    if (decision.kind === 'pass') {
      setHeaders(ctx, decision.headers);
      return next();
    }
    await fillFromHandler(ctx, next, decision.fill, false);
  }

  /**
   * An app-wide instance's refresh reached this route-level one: as on a client request, the
   * route's options win, so this engine decides and its fill (or refresh) replaces the outer's.
   * Resolves `false` when this engine has nothing to refresh.
   */
  async function takeOverRefresh(ctx: Context, refresh: Refreshing): Promise<boolean> {
    (ctx as MarkedContext)[activeFill]?.standAside();
    let decision = engine.handle(toCacheRequest(ctx));
    if (isPromise(decision)) decision = await decision;
    const fill =
      decision.kind === 'fill'
        ? decision.fill
        : decision.kind === 'serve'
          ? decision.refresh
          : undefined;
    refresh.fill.abandon('skipped');
    if (fill === undefined) {
      refresh.settled = true;
      ctx.respond = false;
      return false;
    }
    refresh.engine = engine;
    refresh.fill = fill;
    return true;
  }

  return Object.assign(responseCacheMiddleware, adminOf(engine));
}

async function fillFromHandler(
  ctx: Context,
  next: Next,
  fill: Fill,
  detached: boolean,
): Promise<void> {
  const marked = ctx as MarkedContext;
  const req = ctx.req;
  const original = req.headers;
  let aside = false;
  const active = {
    standAside() {
      aside = true;
      req.headers = original;
      marked[activeFill] = undefined;
      fill.abandon('skipped');
    },
  };
  if (original['if-none-match'] !== undefined || original['if-modified-since'] !== undefined) {
    const hidden = { ...original };
    for (const name of CONDITIONAL) delete hidden[name];
    req.headers = hidden;
  }
  marked[activeFill] = active;
  ctx.state.responseCache = fill.control;
  let captured: CapturedBody;
  try {
    await next();
    if (aside) return;
    req.headers = original;
    marked[activeFill] = undefined;
    if (!detached && (ctx.respond === false || ctx.res.headersSent)) {
      // The handler wrote to `ctx.res` itself: there is nothing in `ctx` to capture.
      fill.abandon('uncapturable');
      return;
    }
    captured = await captureBody(ctx, fill.maxBodySize);
  } catch (error) {
    if (aside) throw error;
    req.headers = original;
    marked[activeFill] = undefined;
    const reply = await fill.fail(error);
    if (detached) return;
    if (reply === undefined) throw error;
    sendReply(ctx, reply);
    return;
  }
  if (captured.kind === 'overflow') {
    setHeaders(ctx, fill.abandon('too-large'));
    return;
  }
  const status = ctx.status;
  const reply = await fill.complete({ status, headers: ctx.response.headers, body: captured.body });
  if (detached) return;
  // The reply is the whole header set (or a 304's subset): drop what the handler set beyond it.
  const res = ctx.res;
  for (const name of res.getHeaderNames()) {
    if (!(name in reply.headers)) res.removeHeader(name);
  }
  if (captured.empty && reply.status === status) {
    // Nothing to replace: Koa writes its own status text for a missing body.
    setHeaders(ctx, reply.headers);
    return;
  }
  sendReply(
    ctx,
    reply.body === undefined && !BODILESS.has(reply.status)
      ? { ...reply, body: captured.body }
      : reply,
  );
}

/**
 * Hands a reply to Koa: status, body, then the engine's headers (after the body, so the stored
 * `Content-Type` and `Content-Length` win over what Koa infers from a Buffer). A HEAD reply has no
 * body; Koa ends it without one.
 */
function sendReply(ctx: Context, reply: Reply): void {
  ctx.status = reply.status;
  if (reply.body !== undefined) ctx.body = reply.body;
  else if (!BODILESS.has(reply.status)) ctx.body = EMPTY;
  setHeaders(ctx, reply.headers);
}

function setHeaders(ctx: Context, headers: OutgoingHeaders): void {
  const res = ctx.res;
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
