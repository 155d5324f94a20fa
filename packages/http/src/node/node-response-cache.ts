import type { IncomingMessage, ServerResponse } from 'node:http';
import { bindAdmin } from '../response-cache/admin.ts';
import { toCacheRequest } from '../response-cache/cache-request.ts';
import { responseCacheControlHelpers } from '../response-cache/control-helpers.ts';
import { createResponseCache } from '../response-cache/engine.ts';
import type {
  ResponseCacheAdmin,
  ResponseCacheControl,
  ResponseCacheOptions,
} from '../response-cache/types.ts';
import { captureFill } from './capture-fill.ts';
import { writeHeaders } from './headers.ts';
import { type ResponseCachePort, responseCacheDriver } from './response-cache-driver.ts';
import { writeReply } from './write-reply.ts';

/** A plain `node:http` request listener, as `http.createServer` takes it; may return a promise. */
export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** What {@link withResponseCache} returns: a request listener that also carries the admin API. */
export interface NodeResponseCache extends ResponseCacheAdmin {
  (req: IncomingMessage, res: ServerResponse): void;
}

const control = Symbol('larder.responseCache.control');
type ControlledResponse = ServerResponse & { [control]?: ResponseCacheControl | undefined };

// Requests to a server whose socket does not name it (a test's fake socket) share one scope.
const PROCESS_SCOPE = {};

/**
 * Caches whole responses of a plain `node:http` app: `http.createServer(withResponseCache(handler,
 * options))`. The same engine and driver as the Express and Koa `responseCache`, and the same
 * options; nested listeners behave as app-wide and route-level middleware do (the inner one's
 * options win, one entry). Node has no trusted proxy setting: the host is the `Host` header, never
 * `X-Forwarded-Host`. The query is keyed as `node:querystring` reads it. A background refresh runs
 * `handler` again, detached. A handler that throws (or rejects) gets a bare 500 when nothing was
 * sent yet. Without `store`, the listeners of one server share a memory store.
 *
 * @param handler - the app: `(req, res)`, writing to `res` as any Node listener does
 * @param options - keying, ttl, stale windows, store, see {@link ResponseCacheOptions}
 * @example
 * const cached = withResponseCache((req, res) => res.end(render(req.url)), { ttl: '1m' });
 * http.createServer(cached).listen(3000);
 * await cached.invalidatePath('/news');
 */
export function withResponseCache(
  handler: NodeRequestHandler,
  options: ResponseCacheOptions = {},
): NodeResponseCache {
  if (typeof handler !== 'function') {
    throw new TypeError(
      `withResponseCache(handler, options): handler must be a function, got ${typeof handler}`,
    );
  }
  const engine = createResponseCache(options);
  const port: ResponseCachePort<IncomingMessage, ServerResponse> = {
    request: (req) => req,
    cacheRequest: (req) =>
      toCacheRequest(
        req.method ?? 'GET',
        req.url ?? '/',
        req.headers,
        () => hostHeader(req),
        (req.socket as { server?: object } | null)?.server ?? PROCESS_SCOPE,
      ),
    url: (req) => req.url ?? '/',
    serve: writeReply,
    passHeaders: (_req, res, headers) => writeHeaders(res, headers),
    lend(_req, res, fill) {
      (res as ControlledResponse)[control] = fill;
    },
    next: (req, res) => run(handler, req, res),
    capture(req, res, steps) {
      captureFill(res, steps);
      return run(handler, req, res);
    },
    halt() {},
    fail(_req, res, error) {
      failed(res, error);
      return undefined;
    },
    rerun: (_req, copy, res) =>
      new Promise<void>((resolve) => {
        res.once('finish', () => resolve());
        listener(copy, res);
      }),
  };
  const drive = responseCacheDriver(engine, port);

  function listener(req: IncomingMessage, res: ServerResponse): void {
    const running = drive(req, res);
    if (running !== undefined) running.catch((error: unknown) => failed(res, error));
  }

  return Object.assign(listener, bindAdmin(engine));
}

/**
 * `responseCacheControl(res)`, `cacheTags(res, ...tags)`, `skipCache(res)` and
 * `cacheTtl(res, duration)` for a handler under {@link withResponseCache}: control of the response
 * being filled; each is a no-op without a fill. Documented on `ResponseCacheControlHelpers`.
 *
 * @example cacheTags(res, 'posts', `post:${id}`);
 */
export const { responseCacheControl, cacheTags, skipCache, cacheTtl } =
  responseCacheControlHelpers<ServerResponse>((res) => (res as ControlledResponse)[control]);

/** The `Host` header as sent (HTTP/1.1 requires it; RFC 9112 §3.2); Node trusts no proxy. */
function hostHeader(req: IncomingMessage): string | undefined {
  return req.headers.host;
}

/** Runs the app; what it throws or rejects with becomes a 500 (a listener has no error handler). */
function run(handler: NodeRequestHandler, req: IncomingMessage, res: ServerResponse): undefined {
  try {
    const out = handler(req, res);
    if (out instanceof Promise) out.catch((error: unknown) => failed(res, error));
  } catch (error) {
    failed(res, error);
  }
  return undefined;
}

function failed(res: ServerResponse, _error: unknown): void {
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  res.statusCode = 500;
  res.end();
}
