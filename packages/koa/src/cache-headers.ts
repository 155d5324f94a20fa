import {
  type CacheHeadersOptions,
  cacheHeadersPatch,
  type HeaderRecord,
  type ResolvedCacheHeaders,
  resolveCacheHeadersOptions,
} from '@larder/http';
import type { Context, Next } from 'koa';
import { applyHeaderPatch } from './apply-header-patch.ts';

/** The Koa middleware `cacheHeaders()` returns. */
export type CacheHeadersMiddleware = (ctx: Context, next: Next) => Promise<void>;

/**
 * App- or router-wide caching headers: successful GET/HEAD responses (and their 304s) that set no
 * `Cache-Control` themselves get the configured defaults; errors get `no-store`, thrown ones
 * included (through `err.headers`, which Koa writes after clearing the response's headers).
 *
 * @param options - see `CacheHeadersOptions` in `@larder/http`; validated here, once
 * @throws TypeError or RangeError naming the option when an option is invalid
 * @example
 * app.use(cacheHeaders({ cacheControl: { public: true, maxAge: '5m' } }));
 * router.get('/account', (ctx) => { noCache(ctx); ctx.body = page }); // kept: the handler set its own
 */
export function cacheHeaders(options?: CacheHeadersOptions): CacheHeadersMiddleware {
  const resolved = resolveCacheHeadersOptions(options);
  return async function cacheHeadersMiddleware(ctx, next) {
    try {
      await next();
    } catch (error) {
      markError(error, resolved, ctx.method);
      throw error;
    }
    const patch = cacheHeadersPatch(resolved, {
      method: ctx.method,
      status: ctx.status,
      headers: ctx.response.headers,
    });
    if (patch !== undefined) applyHeaderPatch(ctx, patch);
  };
}

/** Koa answers a thrown error with only `err.headers`: put the error's caching headers there. */
function markError(error: unknown, resolved: ResolvedCacheHeaders, method: string): void {
  if (error === null || typeof error !== 'object' || !Object.isExtensible(error)) return;
  const err = error as {
    status?: unknown;
    statusCode?: unknown;
    headers?: Record<string, unknown>;
  };
  const candidate = typeof err.status === 'number' ? err.status : err.statusCode;
  // Koa's own rule: a status outside 4xx/5xx becomes 500.
  const status =
    typeof candidate === 'number' && candidate >= 400 && candidate < 600 ? candidate : 500;
  const headers = lowerCase(err.headers);
  const patch = cacheHeadersPatch(resolved, { method, status, headers });
  if (patch === undefined) return;
  for (const name of patch.remove) delete headers[name];
  err.headers = { ...headers, ...patch.set };
}

function lowerCase(headers: Record<string, unknown> | undefined): HeaderRecord {
  if (headers === null || typeof headers !== 'object') return {};
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || Array.isArray(v))
      .map(([k, v]) => [k.toLowerCase(), v as HeaderRecord[string]]),
  );
}
