import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Fill, ResponseCacheEngine } from '../response-cache/types.ts';
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
 * A GET for `url` with the headers and address of `req`, reading as an empty body, on a socket
 * that is never connected: what a background refresh runs the app with.
 */
export function detachedRequest(req: IncomingMessage, url: string): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: req.socket.remoteAddress });
  // The server the request came to: plain node:http listeners scope their default store by it.
  Object.defineProperty(socket, 'server', { value: (req.socket as { server?: unknown }).server });
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

/**
 * Runs the app once more for `url`, detached from the client (on the next turn of the event loop,
 * after the stale reply went out), to feed the engine's refresh `fill`. `run` hands the marked
 * copy and a `ServerResponse` attached to no socket to the app, and resolves when the app is done
 * (rejects with its error); the `responseCache` that owns the mark captures the response and
 * settles the fill. A refresh that no instance settled is abandoned (or failed with the error).
 */
export function refreshDetached(
  source: IncomingMessage,
  url: string,
  engine: ResponseCacheEngine,
  fill: Fill,
  run: (copy: IncomingMessage, res: ServerResponse, mark: Refreshing) => unknown,
): void {
  setImmediate(() => {
    const copy = detachedRequest(source, url);
    const mark: Refreshing = { engine, fill, settled: false, reached: false };
    (copy as MarkedRequest)[refreshing] = mark;
    const settle = (error?: unknown): void => {
      if (mark.settled) return;
      mark.settled = true;
      if (error === undefined) mark.fill.abandon('uncapturable');
      else mark.fill.fail(error).catch(() => undefined);
    };
    try {
      Promise.resolve(run(copy, new ServerResponse(copy), mark)).then(() => settle(), settle);
    } catch (error) {
      settle(error);
    }
  });
}
