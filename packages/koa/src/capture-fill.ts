import type { FillSteps } from '@larder/http/node';
import { replaceHeaders, settleOnHead, writeHeaders } from '@larder/http/node';
import type { Context, Next } from 'koa';
import { beforeRespond } from './before-respond.ts';
import { type CapturedBody, captureBody } from './capture-body.ts';
import { sendReply } from './send-reply.ts';

/**
 * The capture step of a fill on Koa: runs the rest of the app, reads what the handler left in
 * `ctx.body` and `ctx.status`, hands it to the fill and puts the reply back in `ctx`. The store
 * decision waits for the head Koa writes, after every middleware returned (a session middleware
 * before the cache commits its cookie then). A detached refresh writes nothing.
 */
export async function captureFill(ctx: Context, next: Next, steps: FillSteps): Promise<void> {
  const fill = steps.fill;
  const detached = steps.detached;
  if (detached) ctx.respond = false;
  let captured: CapturedBody;
  try {
    await next();
    if (steps.aside) return;
    steps.end();
    if (!detached && (ctx.respond === false || ctx.res.headersSent)) {
      // The handler wrote to `ctx.res` itself: there is nothing in `ctx` to capture.
      fill.abandon('uncapturable');
      return;
    }
    captured = await captureBody(ctx, fill.maxBodySize);
  } catch (error) {
    if (steps.aside) throw error;
    steps.end();
    const reply = await fill.fail(error);
    if (detached) return;
    if (reply === undefined) throw error;
    sendReply(ctx, reply);
    return;
  }
  if (captured.kind === 'overflow') {
    writeHeaders(ctx.res, fill.abandon('too-large'));
    return;
  }
  const status = ctx.status;
  const pending = await fill.respond({
    status,
    headers: ctx.response.headers,
    body: captured.body,
  });
  const reply = pending.reply;
  const res = ctx.res;
  beforeRespond(ctx, () => settleOnHead(res, pending));
  // Koa skips `respond` when an outer middleware's error is answered instead: decide on that head.
  res.once('finish', () => settleOnHead(res, pending));
  if (detached) return;
  replaceHeaders(res, reply.headers);
  // Nothing to replace: Koa writes its own status text for a missing body.
  if (captured.empty && reply.status === status) return;
  sendReply(ctx, reply);
}
