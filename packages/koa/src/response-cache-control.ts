import { type ResponseCacheControl, responseCacheControlHelpers } from '@larder/http';
import type { Context } from 'koa';

/**
 * `responseCacheControl(ctx)`, `cacheTags(ctx, ...tags)`, `skipCache(ctx)` and
 * `cacheTtl(ctx, duration)`: handler-level control of the response `responseCache` is filling
 * (kept in `ctx.state.responseCache`); each is a no-op without a fill. Documented on
 * `ResponseCacheControlHelpers` in `@larder/http`.
 *
 * @example cacheTags(ctx, 'posts', `post:${id}`);
 */
export const { responseCacheControl, cacheTags, skipCache, cacheTtl } =
  responseCacheControlHelpers<Context>(
    (ctx) => (ctx.state as { responseCache?: ResponseCacheControl }).responseCache,
  );
