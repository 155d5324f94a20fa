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
  type RequestRole,
  recodeEtag,
  replaceHeaders,
  roleOf,
  settleOnHead,
  writeHeaders,
} from '@larder/http/node';
import type { Context, Next } from 'koa';
import { refreshInBackground } from './background-refresh.ts';
import { beforeRespond } from './before-respond.ts';
import { cacheRequestOf } from './cache-request.ts';
import { type CapturedBody, captureBody } from './capture-body.ts';

/** The middleware `responseCache()` returns: a Koa middleware that also carries the admin API. */
export interface ResponseCacheMiddleware extends ResponseCacheAdmin {
  (ctx: Context, next: Next): Promise<void>;
}

const EMPTY = Buffer.alloc(0);
const DONE: Promise<void> = Promise.resolve();

/**
 * Caches whole responses: app-wide (`app.use`), on a router, or on one route. Every decision is
 * made by the engine of `@larder/http`; this middleware only translates between Koa and it.
 * When an app-wide and a route-level `responseCache` both apply, the route's takes over and one
 * entry is made. Without `store`, the instances of one app share that app's memory store.
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

  // Not `async`: a hit (the common case) answers synchronously and returns a settled promise,
  // with no async frame or promise made per request.
  function responseCacheMiddleware(ctx: Context, next: Next): Promise<void> {
    const role = roleOf(ctx.req, engine);
    if (role.kind !== 'client') return notClient(ctx, next, role);
    const decision = engine.handle(cacheRequestOf(ctx));
    if (decision instanceof Promise) return decision.then((d) => act(ctx, next, d));
    return act(ctx, next, decision);
  }

  function act(ctx: Context, next: Next, decision: Decision): Promise<void> {
    if (decision.kind === 'serve') {
      // First in the app, no middleware runs after the reply to read or change `ctx.body`: the
      // reply goes straight to `ctx.res`, past Koa's setters and its response.
      const reply = decision.reply;
      if (ctx.app.middleware[0] === responseCacheMiddleware) writeReply(ctx, reply);
      else {
        sendReply(ctx, reply);
        // Compression outside the cache may encode the reply: its strong ETag gets the coding's suffix.
        if (mayBeRecoded(ctx.req.headers['accept-encoding'], reply.headers)) {
          beforeRespond(ctx, () => recodeEtag(ctx.res));
        }
      }
      if (decision.refresh !== undefined) refreshInBackground(ctx, engine, decision.refresh);
      return DONE;
    }
    if (decision.kind === 'pass') {
      writeHeaders(ctx.res, decision.headers);
      return next();
    }
    return fillFromHandler(ctx, next, decision.fill, false);
  }

  /** A detached background refresh, or a request this instance lets through. */
  async function notClient(ctx: Context, next: Next, role: RequestRole): Promise<void> {
    if (role.kind === 'not-mine' || role.kind === 'client') return next();
    // The instance that owns the refresh (or took it over) captures what the handler answers;
    // Koa writes nothing.
    const refresh = role.mark;
    if (role.kind === 'take-over' && !(await takeOverRefresh(ctx, refresh))) return;
    refresh.reached = true;
    refresh.settled = true;
    ctx.respond = false;
    await fillFromHandler(ctx, next, refresh.fill, true);
  }

  /**
   * An app-wide instance's refresh reached this route-level one, which takes it over; resolves
   * `false` when this engine has nothing to refresh.
   */
  async function takeOverRefresh(ctx: Context, refresh: Refreshing): Promise<boolean> {
    let decision = engine.handle(cacheRequestOf(ctx));
    if (decision instanceof Promise) decision = await decision;
    if (adoptRefresh(refresh, engine, decision) !== undefined) return true;
    ctx.respond = false;
    return false;
  }

  return Object.assign(responseCacheMiddleware, bindAdmin(engine));
}

async function fillFromHandler(
  ctx: Context,
  next: Next,
  fill: Fill,
  detached: boolean,
): Promise<void> {
  const restore = hideValidators(ctx.req);
  let aside = false;
  const unmark = markFilling(ctx.req, () => {
    aside = true;
    restore();
    unmark();
    fill.abandon('superseded');
  });
  ctx.state.responseCache = fill.control;
  let captured: CapturedBody;
  try {
    await next();
    if (aside) return;
    restore();
    unmark();
    if (!detached && (ctx.respond === false || ctx.res.headersSent)) {
      // The handler wrote to `ctx.res` itself: there is nothing in `ctx` to capture.
      fill.abandon('uncapturable');
      return;
    }
    captured = await captureBody(ctx, fill.maxBodySize);
  } catch (error) {
    if (aside) throw error;
    restore();
    unmark();
    const reply = await fill.fail(error);
    if (detached) return;
    if (reply === undefined) throw error;
    sendReply(ctx, reply);
    return;
  }
  if (captured.kind === 'overflow') {
    writeHeaders(ctx.res, fill.abandon('too-large'));
    return;
  }
  const status = ctx.status;
  const response = { status, headers: ctx.response.headers, body: captured.body };
  const pending = await fill.respond(response);
  const reply = pending.reply;
  // Stored (and shared with the requests waiting on this fill) only once the head is final: a
  // session middleware before the cache commits its cookie after this middleware returns.
  const res = ctx.res;
  beforeRespond(ctx, () => settleOnHead(res, pending));
  // Koa skips `respond` when an outer middleware's error is answered instead: decide on that head.
  res.once('finish', () => settleOnHead(res, pending));
  if (detached) return;
  replaceHeaders(ctx.res, reply.headers);
  // Nothing to replace: Koa writes its own status text for a missing body.
  if (captured.empty && reply.status === status) return;
  sendReply(ctx, reply);
}

/**
 * Writes a reply to `ctx.res` in one go, Koa standing aside (`ctx.respond = false`): for a
 * `responseCache` that runs first, when nothing else could see `ctx.body`. `ctx.status` still reads
 * the status sent. A HEAD or 304 reply has no body; Node sends none.
 */
function writeReply(ctx: Context, reply: Reply): void {
  ctx.respond = false;
  const res = ctx.res;
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}

/**
 * Hands a reply to Koa, which keeps its part (upstream middleware sees `ctx.status` and `ctx.body`)
 * and writes it. With a body, the engine's headers go first: Koa then infers no type (the stored
 * `Content-Type` is there) and sets `Content-Length` from the body, the stored length. A HEAD reply
 * has no body: Koa ends it without one, and the stored `Content-Length` goes after Koa's.
 */
function sendReply(ctx: Context, reply: Reply): void {
  // `ctx.response` directly: `ctx.status` and `ctx.body` are delegating accessors to it.
  const response = ctx.response;
  const body = reply.body;
  if (body !== undefined) {
    writeHeaders(ctx.res, reply.headers);
    response.status = reply.status;
    response.body = body;
    return;
  }
  response.status = reply.status;
  // The engine leaves the body out of a 304 and of a HEAD reply only (see `Reply`); Koa sends a
  // 304 without one itself (RFC 9110 §15.4.5).
  if (reply.status !== 304) response.body = EMPTY;
  writeHeaders(ctx.res, reply.headers);
}
