import { type CacheRequest, toCacheRequest } from '@larder/http';
import type { Context } from 'koa';

/**
 * Translates a Koa context into the engine's {@link CacheRequest}: the path from `ctx.originalUrl`
 * (a mounted `responseCache` keys on the full path), the host from `ctx.host` (trusted per
 * `app.proxy`), and as the scope `ctx.app`, so every `responseCache` of one app shares its default
 * store and no other app does.
 */
export function cacheRequestOf(ctx: Context): CacheRequest {
  return toCacheRequest(ctx.method, ctx.originalUrl, ctx.req.headers, () => ctx.host, ctx.app);
}
