import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Fill, ResponseCacheEngine } from '@larder/http';
import type { Request } from 'express';
import { captureResponse } from './capture-response.ts';
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
 * Runs the app once more for `req`, detached from the client, and feeds what it answers to the
 * engine's refresh `fill`. The copy goes through `app.handle` on a `ServerResponse` that is never
 * attached to a socket, so nothing reaches the network; the `responseCache` that asked for the
 * refresh recognises the copy by a symbol and lets it through to the handler.
 */
export function refreshInBackground(req: Request, engine: ResponseCacheEngine, fill: Fill): void {
  setImmediate(() => {
    const copy = detachedRequest(req);
    const mark: Refreshing = { engine, fill, settled: false, reached: false };
    (copy as MarkedRequest)[refreshing] = mark;
    const res = new ServerResponse(copy);
    // The sink reads `mark.fill` when the response ends: a route-level instance may have taken over.
    captureResponse(res, {
      maxBodySize: fill.maxBodySize,
      finish(response) {
        mark.settled = true;
        return mark.fill
          .complete(response)
          .then(
            () => undefined,
            () => undefined,
          )
          .finally(() => res.emit('finish'));
      },
      overflow(reason) {
        mark.settled = true;
        mark.fill.abandon(reason);
        return {};
      },
      abort() {},
    });
    const done = (error?: unknown): void => {
      if (mark.settled) return;
      mark.settled = true;
      if (error !== undefined && error !== null && error !== 'route' && error !== 'router') {
        mark.fill.fail(error).catch(() => undefined);
      } else mark.fill.abandon('uncapturable');
    };
    try {
      (req.app as unknown as ExpressApp).handle(copy, res, done);
    } catch (error) {
      done(error);
    }
  });
}

/** Express's app is a request handler with `handle(req, res, done)` (not in its typings). */
interface ExpressApp {
  handle(req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void): void;
}

/** A GET for the same URL, with the client's headers and address, that reads as an empty body. */
function detachedRequest(req: Request): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: req.socket.remoteAddress });
  Object.defineProperty(socket, 'encrypted', {
    value: (req.socket as { encrypted?: boolean }).encrypted,
  });
  const copy = new IncomingMessage(socket);
  copy.method = 'GET';
  copy.url = req.originalUrl;
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
