import {
  type CacheFrontHandler,
  type CacheFrontOptions,
  createCacheFront,
} from '@larder/http/node';
import type Koa from 'koa';

/**
 * Answers the hits of the app's own `responseCache` layers before Koa runs: give the result to
 * `http.createServer`. A hit is written straight to the socket (status, stored headers, `Age`,
 * `X-Cache`, `Cache-Status`, a 304 for a matching conditional request, no body for HEAD) without
 * a Koa context or any middleware; everything else (a miss, a stale entry, a bypass, a path no
 * layer has stored yet) goes to `app.callback()` untouched. The front keys a path only as the
 * layer that stored it recorded (query allow-list, host, language, keyed headers, cookie rule,
 * `Vary`-learned headers); routes with a `key` function always reach the app. Middleware a hit
 * skips — loggers, rate limiters, auth — is kept with `skip` or run before it.
 *
 * @param app - the Koa application (its `responseCache` layers record here)
 * @param options - `onHit`, `skip`, `outerCompression`, see {@link CacheFrontOptions}
 * @example
 * const app = new Koa();
 * app.use(responseCache({ ttl: '1m' }));
 * http.createServer(cacheFront(app)).listen(3000);
 */
export function cacheFront(app: Koa, options?: CacheFrontOptions): CacheFrontHandler {
  if (typeof app !== 'object' || app === null || typeof app.callback !== 'function') {
    throw new TypeError('cacheFront: app must be a Koa application');
  }
  return createCacheFront('cacheFront', app, app.callback(), options);
}
