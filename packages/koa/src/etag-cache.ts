import { type EtagCacheOptions, etagCacheDecision } from '@larder/http';
import type { Context } from 'koa';
import { applyHeaderPatch } from './apply-header-patch.ts';

/**
 * Sets the response's ETag from a version key and, when the request's `If-None-Match` already
 * names it, answers `304 Not Modified` and returns `true`, so the handler returns before doing the
 * expensive work (Pylons' `etag_cache`). A failed precondition (an `If-Match` the key's ETag does
 * not strongly match, or an `If-Unmodified-Since` before a `Last-Modified` already set) answers
 * `412 Precondition Failed` and returns `true` too, on any method (RFC 9110 §13.1.1, §13.1.4),
 * so a PUT guarded by `etagCache` never overwrites a newer version. Only GET and HEAD whose response would be 2xx and whose
 * headers are not sent yet (otherwise it changes nothing and returns `false`); the ETag
 * replaces any other, so `@koa/etag` adds none of its own. When it returns `false`,
 * `ctx.fresh` is pinned to `false` so a conditional-get middleware cannot answer 304 by laxer rules.
 *
 * @param key - a version of what the response shows: a number or a string (hashed when it cannot be an entity-tag as is)
 * @param options - `weak` (boolean, @default false): send `W/"…"`
 * @returns `true` when the response is now a 304 or 412 and the handler must stop
 * @throws TypeError for an empty or non-finite key
 * @example
 * router.get('/posts/:id', async (ctx) => {
 *   const version = await posts.version(ctx.params.id);
 *   if (etagCache(ctx, version)) return;
 *   ctx.body = await renderPost(ctx.params.id);
 * });
 */
export function etagCache(ctx: Context, key: string | number, options?: EtagCacheOptions): boolean {
  // Koa starts every response at 404 until a body or status is set: that is "not decided yet",
  // i.e. a 200. `_explicitStatus` (Koa 2 and 3) tells it apart from a 404 the handler chose.
  const explicit = (ctx.response as { _explicitStatus?: unknown })._explicitStatus === true;
  const status = !explicit && ctx.body == null && ctx.status === 404 ? 200 : ctx.status;
  const decision = etagCacheDecision(
    { method: ctx.method, headers: ctx.headers },
    { status, headers: ctx.response.headers, headersSent: ctx.headerSent },
    key,
    options,
  );
  applyHeaderPatch(ctx, decision.patch);
  if (decision.status === undefined) {
    if (decision.etag !== undefined) {
      Object.defineProperty(ctx.request, 'fresh', {
        value: false,
        configurable: true,
        enumerable: true,
      });
    }
    return false;
  }
  // A null body first: Koa would turn a later null body into 204 for a status that has a body.
  ctx.body = null;
  ctx.status = decision.status;
  return true;
}
