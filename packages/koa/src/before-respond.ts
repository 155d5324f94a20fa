import type { Context } from 'koa';

/**
 * Runs `hook` once, when Koa is about to write the response: Koa's `respond` reads `ctx.respond`
 * first, after every middleware has returned (a session committed its cookie, compression set its
 * coding) and before the head goes out, even when the client is gone or `ctx.respond` is false.
 * `ctx.respond` keeps reading and writing as before.
 */
export function beforeRespond(ctx: Context, hook: () => void): void {
  let value: unknown = ctx.respond;
  let ran = false;
  Object.defineProperty(ctx, 'respond', {
    configurable: true,
    enumerable: true,
    get() {
      if (!ran) {
        ran = true;
        hook();
      }
      return value;
    },
    set(next: unknown) {
      value = next;
    },
  });
}
