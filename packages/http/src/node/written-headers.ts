import type { ServerResponse } from 'node:http';
import { etagForCoding } from '../etag.ts';
import type { HeaderRecord, OutgoingHeaders, PendingReply } from '../response-cache/types.ts';
import { writeHeaders } from './headers.ts';

/**
 * Gives the response's strong ETag the suffix of its content coding once one is set (`"abc"` →
 * `"abc-gzip"`): compression outside the cache (the `compression` or `koa-compress` middleware)
 * encodes a reply whose ETag the cache made for the identity body, and RFC 9110 §8.8.3 wants a
 * strong validator per representation.
 */
export function recodeEtag(res: ServerResponse): void {
  const coding = res.getHeader('content-encoding');
  const tag = res.getHeader('etag');
  if (typeof coding !== 'string' || typeof tag !== 'string') return;
  const coded = etagForCoding(tag, coding);
  if (coded !== tag) res.setHeader('etag', coded);
}

/** True when a reply may meet compression outside the cache: the client accepts a coding and the ETag is strong. */
export function mayBeRecoded(acceptEncoding: unknown, headers: OutgoingHeaders): boolean {
  const tag = headers.etag;
  return acceptEncoding !== undefined && typeof tag === 'string' && !tag.startsWith('W/');
}

type SetHeader = ServerResponse['setHeader'];
type AppendHeader = ServerResponse['appendHeader'];

/**
 * Watches the fields set on `res` until the returned function is called: what hooks that run when
 * the head is written (on-headers listeners such as express-session's and compression's) add.
 * Re-checks the pending store decision when `Set-Cookie` or `Cache-Control` arrives (and marks the
 * reply not stored while its head can still change), and recodes the ETag when a content coding is
 * set. `pending` is `undefined` for a hit (the ETag is all there is to do).
 */
export function watchLateHeaders(
  res: ServerResponse,
  pending: PendingReply | undefined,
): () => void {
  const own = Object.hasOwn(res, 'setHeader');
  const ownAppend = Object.hasOwn(res, 'appendHeader');
  const setHeader = res.setHeader;
  const appendHeader = res.appendHeader;
  const seen = (name: string): void => {
    const field = name.toLowerCase();
    if (field === 'content-encoding') recodeEtag(res);
    else if (pending !== undefined && (field === 'set-cookie' || field === 'cache-control')) {
      const extra = pending.review(res.statusCode, res.getHeaders() as HeaderRecord);
      if (extra !== undefined) writeHeaders(res, extra);
    }
  };
  res.setHeader = function watchedSetHeader(this: ServerResponse, name, value) {
    const out = setHeader.call(this, name, value);
    seen(name);
    return out;
  } as SetHeader;
  res.appendHeader = function watchedAppendHeader(this: ServerResponse, name, value) {
    const out = appendHeader.call(this, name, value);
    seen(name);
    return out;
  } as AppendHeader;
  return () => {
    if (own) res.setHeader = setHeader;
    else delete (res as Partial<ServerResponse>).setHeader;
    if (ownAppend) res.appendHeader = appendHeader;
    else delete (res as Partial<ServerResponse>).appendHeader;
  };
}

/**
 * Settles a pending store decision on the head as written: first the status headers the written
 * fields call for, while they can still change; then the commit. For a hook that runs after every
 * middleware and before the head goes out (Koa's `respond`).
 */
export function settleOnHead(res: ServerResponse, pending: PendingReply): void {
  if (!res.headersSent) {
    const extra = pending.review(res.statusCode, res.getHeaders() as HeaderRecord);
    if (extra !== undefined) writeHeaders(res, extra);
    recodeEtag(res);
  }
  pending.commit(res.statusCode, res.getHeaders() as HeaderRecord);
}
