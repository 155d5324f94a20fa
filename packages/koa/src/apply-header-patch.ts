import type { HeaderPatch } from '@larder/http';
import type { Context } from 'koa';

/** Writes a patch computed by `@larder/http` onto a Koa response: removals, then sets. */
export function applyHeaderPatch(ctx: Context, patch: HeaderPatch): void {
  for (const name of patch.remove) ctx.remove(name);
  for (const [name, value] of Object.entries(patch.set)) ctx.set(name, value);
}
