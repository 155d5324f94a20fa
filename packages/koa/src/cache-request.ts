import { type CacheRequest, rewrittenUrl, toCacheRequest } from '@larder/http';
import type Koa from 'koa';
import type { Context } from 'koa';

type QueryParser = (query: string) => unknown;

const parsers = new WeakMap<object, QueryParser>();
let lastApp: object | undefined;
let lastParser: QueryParser | undefined;

/**
 * The query parser of `app` as its handlers see it: `ctx.query` read on a bare request made from the
 * app's own request prototype, so the key holds exactly what Koa (or a plugin that replaces
 * `app.request.query`, such as koa-qs) hands the handler. Called only for query strings the
 * engine has not seen recently.
 */
function queryParserOf(app: Koa): QueryParser {
  if (app === lastApp && lastParser !== undefined) return lastParser;
  let parser = parsers.get(app);
  if (parser === undefined) {
    const proto = app.request;
    parser = (query) => {
      const request = Object.create(proto) as { req: { url: string }; query: unknown };
      request.req = { url: `/?${query}` };
      return request.query;
    };
    parsers.set(app, parser);
  }
  lastApp = app;
  lastParser = parser;
  return parser;
}

/**
 * Translates a Koa context into the engine's {@link CacheRequest}: the path from `ctx.originalUrl`
 * (a mounted `responseCache` keys on the full path), the host from `ctx.host` (trusted per
 * `app.proxy`, port kept), the app's query parser (the key holds what `ctx.query` hands the
 * handler), the URL a middleware before the cache rewrote `ctx.url` to (also keyed), and as the
 * scope `ctx.app`, so every `responseCache` of one app shares its default store and no other app does.
 */
export function cacheRequestOf(ctx: Context): CacheRequest {
  const req = ctx.req;
  const original = ctx.originalUrl;
  const url = req.url ?? original;
  // `ctx.req` directly: Koa's `ctx.method` goes through two delegating getters.
  return toCacheRequest(
    req.method ?? 'GET',
    original,
    req.headers,
    ctx,
    ctx.app,
    // The parser only matters for a query.
    original.indexOf('?') === -1 ? undefined : queryParserOf(ctx.app),
    url === original
      ? undefined
      : rewrittenUrl(original, url, (ctx as { mountPath?: string }).mountPath ?? ''),
  );
}
