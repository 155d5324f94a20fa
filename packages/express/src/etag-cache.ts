import { type EtagCacheOptions, etagCacheDecision } from '@larder/http';
import type { Request, Response } from 'express';
import { applyHeaderPatch } from './apply-header-patch.ts';

/**
 * Sets the response's ETag from a version key and, when the request's `If-None-Match` already
 * names it, answers `304 Not Modified` and returns `true`, so the handler returns before doing the
 * expensive work (Pylons' `etag_cache`). A failed precondition (an `If-Match` the key's ETag does
 * not strongly match, or an `If-Unmodified-Since` before a `Last-Modified` already set) answers
 * `412 Precondition Failed` and returns `true` too, on any method (RFC 9110 §13.1.1, §13.1.4),
 * so a PUT guarded by `etagCache` never overwrites a newer version. Only GET and HEAD whose response would be 2xx and whose
 * headers are not sent yet (otherwise it changes nothing and returns `false`); the ETag
 * replaces any other, so Express's `res.send` adds none of its own. When it returns `false`,
 * `req.fresh` is pinned to `false`: `etagCache` has evaluated the validators, and `res.send` must
 * not answer a 304 by its own, laxer rules (request `no-cache`, non-GMT dates).
 *
 * @param key - a version of what the response shows: a number or a string (hashed when it cannot be an entity-tag as is)
 * @param options - `weak` (boolean, @default false): send `W/"…"`
 * @returns `true` when a 304 or 412 was sent and the handler must stop
 * @throws TypeError for an empty or non-finite key
 * @example
 * app.get('/posts/:id', async (req, res) => {
 *   const version = await posts.version(req.params.id);
 *   if (etagCache(req, res, version)) return;
 *   res.send(await renderPost(req.params.id));
 * });
 */
export function etagCache(
  req: Request,
  res: Response,
  key: string | number,
  options?: EtagCacheOptions,
): boolean {
  const decision = etagCacheDecision(
    { method: req.method, headers: req.headers },
    { status: res.statusCode, headers: res.getHeaders(), headersSent: res.headersSent },
    key,
    options,
  );
  applyHeaderPatch(res, decision.patch);
  if (decision.status === undefined) {
    if (decision.etag !== undefined) {
      Object.defineProperty(req, 'fresh', { value: false, configurable: true, enumerable: true });
    }
    return false;
  }
  res.statusCode = decision.status;
  res.end();
  return true;
}
