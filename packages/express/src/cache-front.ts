import {
  type CacheFrontHandler,
  type CacheFrontOptions,
  createCacheFront,
} from '@larder/http/node';
import type { Application } from 'express';
import { rootApp } from './cache-request.ts';

/**
 * Answers the hits of the app's own `responseCache` layers before Express runs: give the result to
 * `http.createServer`. A hit is written straight to the socket (status, stored headers, `Age`,
 * `X-Cache`, `Cache-Status`, a 304 for a matching conditional request, no body for HEAD) without
 * Express's request and response objects, its router or any middleware; everything else (a miss,
 * a stale entry, a bypass, a path no layer has stored yet) goes to the app untouched. The front
 * keys a path only as the layer that stored it recorded (query allow-list, host, language, keyed
 * headers, cookie rule, `Vary`-learned headers); routes with a `key` function always reach the app.
 * Middleware a hit skips — loggers, rate limiters, auth — is kept with `skip` or run before it.
 *
 * @param app - the Express application (the root app; its `responseCache` layers record here)
 * @param options - `onHit`, `skip`, `outerCompression`, see {@link CacheFrontOptions}
 * @example
 * const app = express();
 * app.get('/news', responseCache({ ttl: '1m' }), news);
 * http.createServer(cacheFront(app)).listen(3000);
 */
export function cacheFront(app: Application, options?: CacheFrontOptions): CacheFrontHandler {
  if (typeof app !== 'function' || typeof (app as { use?: unknown }).use !== 'function') {
    throw new TypeError('cacheFront: app must be an Express application');
  }
  const handler = app as unknown as (req: unknown, res: unknown) => void;
  return createCacheFront('cacheFront', rootApp(app), (req, res) => handler(req, res), options);
}
