import { type CacheRequest, toCacheRequest } from '@larder/http';
import type { Context } from 'koa';

/**
 * Translates a Koa context into the engine's {@link CacheRequest}: the path from `ctx.originalUrl`
 * (a mounted `responseCache` keys on the full path), the host from `ctx.host` (trusted per
 * `app.proxy`), and as the scope `ctx.app`, so every `responseCache` of one app shares its default
 * store and no other app does.
 */
export function cacheRequestOf(ctx: Context): CacheRequest {
  const req = ctx.req;
  // `ctx.req` directly: Koa's `ctx.method` goes through two delegating getters.
  return toCacheRequest(req.method ?? 'GET', ctx.originalUrl, req.headers, ctx, ctx.app);
}
