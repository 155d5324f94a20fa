import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  type CacheHeadersOptions,
  cacheHeadersPatch,
  type HeaderPatch,
  resolveCacheHeadersOptions,
} from '@larder/http';
import type { NextFunction, Request, Response } from 'express';
import { applyHeaderPatch } from './apply-header-patch.ts';

/** The Express middleware `cacheHeaders()` returns. */
export type CacheHeadersMiddleware = (req: Request, res: Response, next: NextFunction) => void;

/**
 * App- or router-wide caching headers: successful GET/HEAD responses (and their 304s) that set no
 * `Cache-Control` themselves get the configured defaults; errors get `no-store`. It acts when the
 * response's headers go out, so it sees what the handler (or the error handler) set.
 *
 * @param options - see `CacheHeadersOptions` in `@larder/http`; validated here, once
 * @throws TypeError or RangeError naming the option when an option is invalid
 * @example
 * app.use(cacheHeaders({ cacheControl: { public: true, maxAge: '5m' } }));
 * app.get('/account', (req, res) => { noCache(res); res.send(page) }); // kept: the handler set its own
 */
export function cacheHeaders(options?: CacheHeadersOptions): CacheHeadersMiddleware {
  const resolved = resolveCacheHeadersOptions(options);
  return function cacheHeadersMiddleware(req, res, next) {
    const writeHead = res.writeHead;
    let done = false;
    // Every way of sending headers (res.send, res.end, res.writeHead, streams) goes through
    // writeHead, so the defaults are decided once, with the final status and headers.
    res.writeHead = function cacheHeadersWriteHead(this: ServerResponse, ...args: unknown[]) {
      if (!done) {
        done = true;
        const status = typeof args[0] === 'number' ? args[0] : this.statusCode;
        const given = headersArgument(args);
        const headers = { ...this.getHeaders(), ...lowerCase(given) };
        const patch = cacheHeadersPatch(resolved, { method: req.method, status, headers });
        if (patch !== undefined) {
          applyHeaderPatch(this, patch);
          if (given !== undefined) args[args.length - 1] = withoutPatched(given, patch);
        }
      }
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as Response['writeHead'];
    next();
  };
}

/** The headers object given to `res.writeHead(status, [message], headers)`, if any. */
function headersArgument(args: unknown[]): OutgoingHttpHeaders | undefined {
  const last = args.length > 1 ? args[args.length - 1] : undefined;
  return last !== null && typeof last === 'object' && !Array.isArray(last)
    ? (last as OutgoingHttpHeaders)
    : undefined;
}

function lowerCase(headers: OutgoingHttpHeaders | undefined): OutgoingHttpHeaders {
  if (headers === undefined) return {};
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** writeHead's own headers win over setHeader: drop those the patch decided on. */
function withoutPatched(headers: OutgoingHttpHeaders, patch: HeaderPatch): OutgoingHttpHeaders {
  const decided = new Set([...Object.keys(patch.set), ...patch.remove]);
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !decided.has(name.toLowerCase())),
  );
}
