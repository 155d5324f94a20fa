import { type Cache, createCache, type Duration, parseOptionalDuration } from '@larder/core';
import type { Application, Response } from 'express';
import { rootApp } from './cache-request.ts';

/** The part of the `@larder/core` cache facade a cached render needs: `wrap`. */
export type RenderCache = Pick<Cache, 'wrap'>;

/** Template variables, as `res.render` takes them. */
export type Locals = Record<string, unknown>;

/** The default cache of each app (its root app), so two apps' views of one name never share HTML. */
const defaults = new WeakMap<object, Cache>();

/** Options of {@link cachedRender} (Pylons' `render(..., cache_key=, cache_expire=)`). */
export interface CachedRenderOptions {
  /** What the rendered HTML depends on besides the view name, e.g. `'post:' + id`. @default '' */
  key?: string;
  /** How long the HTML is reused, seconds or a string such as `'5m'`. @default the cache's default */
  ttl?: Duration;
  /** The cache facade to keep HTML in. @default one `createCache()` (memory) per app, shared by its cached renders */
  cache?: RenderCache;
}

/**
 * Renders `view` with `locals` (merged over `res.locals`, as `res.render` does) once per
 * view + `key` + `ttl`, keeps the HTML in `cache`, and sends it; concurrent renders of one key share
 * one template run through the facade's `wrap`. `locals` may be a function, so the data it needs
 * is loaded only when the HTML is not cached. Rejects with the view engine's error.
 *
 * @example
 * app.get('/post/:id', async (req, res) => {
 *   await cachedRender(res, 'post', async () => ({ post: await load(req.params.id) }), { key: req.params.id, ttl: '5m' });
 * });
 */
export async function cachedRender(
  res: Response,
  view: string,
  locals: Locals | (() => Locals | Promise<Locals>),
  options: CachedRenderOptions = {},
): Promise<void> {
  const ttl = parseOptionalDuration(options.ttl, 'cachedRender', 'ttl');
  const key = `render:${view}:${options.key ?? ''}`;
  const cache = options.cache ?? defaultCache(res.app);
  const html = await cache.wrap(
    key,
    async () => renderToString(res, view, typeof locals === 'function' ? await locals() : locals),
    ttl,
  );
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
