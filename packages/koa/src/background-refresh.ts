import type { Fill, ResponseCacheEngine } from '@larder/http';
import { refreshDetached } from '@larder/http/node';
import type { Context } from 'koa';

/**
 * Runs the app once more for the request of `ctx`, detached from the client, through
 * `app.callback()`. The `responseCache` that asked for the refresh recognises the copy by its
 * mark, captures what the handler leaves in `ctx.body` and feeds `fill`; Koa then writes nothing.
 */
export function refreshInBackground(ctx: Context, engine: ResponseCacheEngine, fill: Fill): void {
  const app = ctx.app;
  refreshDetached(ctx.req, ctx.originalUrl, engine, fill, (copy, res) => app.callback()(copy, res));
}
