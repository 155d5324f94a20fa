import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Fill, ResponseCacheEngine } from '@larder/http';
import type { Context } from 'koa';
import { type MarkedRequest, type Refreshing, refreshing } from './request-marks.ts';

// Headers the detached copy leaves out: it must fetch the whole representation, not a 304 or a range.
const DROPPED = new Set([
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
  'range',
]);

/**
 * Runs the app once more for the request of `ctx`, detached from the client, through
 * `app.callback()` on a `ServerResponse` that is never attached to a socket. The `responseCache`
 * that asked for the refresh recognises the copy by a symbol, captures what the handler leaves in
 * `ctx.body` and feeds `fill`; Koa then writes nothing.
 */
export function refreshInBackground(ctx: Context, engine: ResponseCacheEngine, fill: Fill): void {
  const app = ctx.app;
  const source = ctx.req;
  const url = ctx.originalUrl;
  setImmediate(() => {
    const copy = detachedRequest(source, url);
    const mark: Refreshing = { engine, fill, settled: false, reached: false };
    (copy as MarkedRequest)[refreshing] = mark;
    const settle = (): void => {
      // No middleware reached the `responseCache` that asked (another one answered first).
      if (!mark.settled) {
        mark.settled = true;
        fill.abandon('uncapturable');
      }
    };
    try {
      Promise.resolve(app.callback()(copy, new ServerResponse(copy))).then(settle, settle);
    } catch {
      settle();
    }
  });
}

/** A GET for the same URL, with the client's headers and address, that reads as an empty body. */
function detachedRequest(req: IncomingMessage, url: string): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: req.socket.remoteAddress });
  Object.defineProperty(socket, 'encrypted', {
    value: (req.socket as { encrypted?: boolean }).encrypted,
  });
  const copy = new IncomingMessage(socket);
  copy.method = 'GET';
  copy.url = url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  const headers: Record<string, string | string[] | undefined> = {};
  for (const name in req.headers) {
    if (!DROPPED.has(name)) headers[name] = req.headers[name];
  }
  copy.headers = headers;
  copy.complete = true;
  copy.push(null);
  return copy;
}
