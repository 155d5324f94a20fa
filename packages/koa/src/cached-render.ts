import { type Cache, createCache, describeValue } from '@larder/core';
import {
  type CachedRenderOptions,
  cachedRenderHtml,
  type Locals,
  type LocalsInput,
} from '@larder/http';
import type { Context } from 'koa';

/** Options of the Koa {@link cachedRender}: Express's options plus an explicit renderer. */
export interface KoaCachedRenderOptions extends CachedRenderOptions {
  /**
   * Renders a view to its HTML string, for apps without `ctx.render`.
   * @default `ctx.render(view, locals)` (from `@ladjs/koa-views` or `@koa/ejs`)
   */
  render?: (view: string, locals: Locals) => string | Promise<string>;
}

/** The default cache of each app, so two apps' views of one name never share HTML. */
const defaults = new WeakMap<object, Cache>();

type Renderer = (view: string, locals?: Locals) => unknown;

/**
 * Renders `view` with `locals` (merged over `ctx.state`, as `ctx.render` does, explicit `render` included) once per
 * view + `key`, keeps the HTML in `cache` for `ttl`, and sets it as the HTML body; concurrent
 * renders of one key share one template run through the facade's `wrap`. The same options,
 * defaults and behaviour as Express's `cachedRender`, plus `render` for apps without
 * `ctx.render`. A renderer that yields no string (koa-views streaming an unmapped `.html` file)
 * rejects with a `TypeError` instead of caching a wrong page.
 *
 * @example
 * router.get('/post/:id', async (ctx) => {
 *   await cachedRender(ctx, 'post', async () => ({ post: await load(ctx.params.id) }), { key: ctx.params.id, ttl: '5m' });
 * });
 */
export async function cachedRender(
  ctx: Context,
  view: string,
  locals: LocalsInput,
  options: KoaCachedRenderOptions = {},
): Promise<void> {
  // cachedRenderHtml checks the whole options object, `render` included as a known name.
  const render = (options as KoaCachedRenderOptions | null)?.render;
  if (render !== undefined && typeof render !== 'function') {
    throw new TypeError(
      `cachedRender: option "render" must be a function, got ${describeValue(render)}`,
    );
  }
  const html = await cachedRenderHtml({
    fn: 'cachedRender',
    view,
    locals,
    options,
    extraOptions: ['render'],
    defaultCache: () => defaultCache(ctx.app),
    // ctx.render merges ctx.state itself; an explicit renderer gets the merge made here, as
    // Express's cachedRender merges res.locals.
    render: (name, data) =>
      render === undefined
        ? renderWithContext(ctx, name, data)
        : render(name, { ...(ctx.state as Locals), ...data }),
  });
  if (!ctx.response.get('Content-Type')) ctx.type = 'html';
  ctx.body = html;
}

function defaultCache(app: object): Cache {
  let cache = defaults.get(app);
  if (cache === undefined) {
    cache = createCache();
    defaults.set(app, cache);
  }
  return cache;
}

async function renderWithContext(ctx: Context, view: string, locals: Locals): Promise<unknown> {
  const render = (ctx as Context & { render?: Renderer }).render;
  if (typeof render !== 'function') {
    throw new TypeError(
      'cachedRender: ctx.render is missing; install @ladjs/koa-views or @koa/ejs, or pass the "render" option',
    );
  }
  const html = await render.call(ctx, view, { ...locals });
  const body: unknown = ctx.body;
  if (typeof html !== 'string' || isStream(body)) {
    // koa-views answers an unmapped .html view by streaming the file (resolving its path).
    if (isStream(body)) body.destroy();
    ctx.body = null;
    return undefined;
  }
  return html;
}

function isStream(value: unknown): value is { pipe: unknown; destroy(): void } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { pipe?: unknown }).pipe === 'function' &&
    typeof (value as { destroy?: unknown }).destroy === 'function'
  );
}
