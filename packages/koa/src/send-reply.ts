import type { Reply } from '@larder/http';
import { writeHeaders } from '@larder/http/node';
import type { Context } from 'koa';

const EMPTY = Buffer.alloc(0);

/**
 * Hands a reply to Koa, which keeps its part (upstream middleware sees `ctx.status` and `ctx.body`)
 * and writes it. With a body, the engine's headers go first: Koa then infers no type (the stored
 * `Content-Type` is there) and sets `Content-Length` from the body, the stored length. A HEAD reply
 * has no body: Koa ends it without one, and the stored `Content-Length` goes after Koa's.
 */
export function sendReply(ctx: Context, reply: Reply): void {
  // `ctx.response` directly: `ctx.status` and `ctx.body` are delegating accessors to it.
  const response = ctx.response;
  const body = reply.body;
  if (body !== undefined) {
    writeHeaders(ctx.res, reply.headers);
    response.status = reply.status;
    response.body = body;
    return;
  }
  response.status = reply.status;
  // The engine leaves the body out of a 304 and of a HEAD reply only (see `Reply`); Koa sends a
  // 304 without one itself (RFC 9110 §15.4.5).
  if (reply.status !== 304) response.body = EMPTY;
  writeHeaders(ctx.res, reply.headers);
}
