import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fill, ResponseCacheEngine } from '@larder/http';
import { refreshDetached } from '@larder/http/node';
import type { Request } from 'express';
import { captureResponse } from './capture-response.ts';

/** Express's app is a request handler with `handle(req, res, done)` (not in its typings). */
interface ExpressApp {
  handle(req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void): void;
}

/**
 * Runs the app once more for `req`, detached from the client, through `app.handle`, and feeds what
 * the handler writes to the engine's refresh `fill`; the `responseCache` that asked for the refresh
 * recognises the copy by its mark and lets it through to the handler.
 */
export function refreshInBackground(req: Request, engine: ResponseCacheEngine, fill: Fill): void {
  const app = req.app as unknown as ExpressApp;
  refreshDetached(req, req.originalUrl, engine, fill, (copy, res, mark) => {
    // The sink reads `mark.fill` when the response ends: a route-level instance may have taken over.
    captureResponse(res, {
      maxBodySize: fill.maxBodySize,
      finish(response) {
        mark.settled = true;
        // The reply is written to the detached response, which reaches no socket: the hooks that
        // run when the head goes out (a session cookie) decide whether the refresh is stored.
        return mark.fill.respond(response);
      },
      overflow(reason) {
        mark.settled = true;
        mark.fill.abandon(reason);
        return {};
      },
      written() {
        res.emit('finish');
      },
    });
    return new Promise<void>((resolve, reject) => {
      // Express calls `done` only when no handler answered: with an error, or to fall through.
      app.handle(copy, res, (error) => {
        if (error === undefined || error === null || error === 'route' || error === 'router') {
          resolve();
        } else reject(error);
      });
    });
  });
}
