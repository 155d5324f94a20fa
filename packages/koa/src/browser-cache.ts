import { browserCacheHelpers } from '@larder/http';
import type { Context } from 'koa';
import { applyHeaderPatch } from './apply-header-patch.ts';

/**
 * `cacheControl(ctx, directives, options?)`, `cacheExpires(ctx, when, directives?)` and
 * `noCache(ctx, enabled?)` on a Koa context; documented on `BrowserCacheHelpers` in `@larder/http`.
 *
 * @example cacheExpires(ctx, '10m', { public: true });
 */
export const { cacheControl, cacheExpires, noCache } = browserCacheHelpers<Context>({
  headers: (ctx) => ctx.response.headers,
  apply: applyHeaderPatch,
});
