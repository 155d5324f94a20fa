import { type Cache, createCache } from '@larder/core';
import {
  type CachedRenderOptions,
  cachedRenderHtml,
  type Locals,
  type LocalsInput,
} from '@larder/http';
import type { Application, Response } from 'express';
import { rootApp } from './cache-request.ts';

export type { CachedRenderOptions, Locals, RenderCache } from '@larder/http';

/** The default cache of each app (its root app), so two apps' views of one name never share HTML. */
const defaults = new WeakMap<object, Cache>();

/**
 * Renders `view` with `locals` (merged over `res.locals`, as `res.render` does) once per
 * view + `key`, keeps the HTML in `cache` for `ttl`, and sends it; concurrent renders of one key
 * share one template run through the facade's `wrap` (so `tags`, `staleWhileRevalidate` and
 * `staleIfError` work as on `wrap`). `locals` may be a function, so the data it needs is loaded
 * only when the HTML is not cached. Rejects with the view engine's error; bad options reject with a
 * `TypeError`/`RangeError` naming `cachedRender`, the option and the value.
 *
 * @example
 * app.get('/post/:id', async (req, res) => {
 *   await cachedRender(res, 'post', async () => ({ post: await load(req.params.id) }), { key: req.params.id, ttl: '5m' });
 * });
 */
export async function cachedRender(
  res: Response,
  view: string,
  locals: LocalsInput,
  options: CachedRenderOptions = {},
): Promise<void> {
  const html = await cachedRenderHtml({
    fn: 'cachedRender',
    view,
    locals,
    options,
    defaultCache: () => defaultCache(res.app),
    render: (name, data) => renderToString(res, name, data),
  });
  if (!res.get('Content-Type')) res.type('html');
  res.send(html);
}

function defaultCache(app: Application): Cache {
  const root = rootApp(app);
  let cache = defaults.get(root);
  if (cache === undefined) {
    cache = createCache();
    defaults.set(root, cache);
  }
  return cache;
}

function renderToString(res: Response, view: string, locals: Locals): Promise<string> {
  return new Promise((resolve, reject) => {
    res.app.render(view, { ...res.locals, ...locals }, (error, html) => {
      if (error) reject(error);
      else resolve(html);
    });
  });
}
