import { inspect } from 'node:util';
import type { Cache, Duration } from '@larder/core';
import { checkOptions, optionNames, parseOptionalDuration } from '@larder/core';

/** The part of the `@larder/core` cache facade a cached render needs: `wrap`. */
export type RenderCache = Pick<Cache, 'wrap'>;

/** Template variables, as `res.render` / `ctx.render` take them. */
export type Locals = Record<string, unknown>;

/** Template variables, or a function loading them (called only when the HTML is not cached). */
export type LocalsInput = Locals | (() => Locals | Promise<Locals>);

/** Options of `cachedRender` on Express and Koa (Pylons' `render(..., cache_key=, cache_expire=)`). */
export interface CachedRenderOptions {
  /** What the rendered HTML depends on besides the view name, e.g. `'post:' + id`. @default '' */
  key?: string;
  /** How long the HTML is reused, seconds or a string such as `'5m'`. @default the cache's default */
  ttl?: Duration;
  /** Tags for `cache.invalidateTags`. @default [] */
  tags?: readonly string[];
  /** After the HTML turns stale, serve it at once for this long while one background render refreshes it. @default 0 */
  staleWhileRevalidate?: Duration;
  /** After the HTML turns stale, serve it for this long when rendering fails. @default 0 */
  staleIfError?: Duration;
  /** The cache facade to keep HTML in. @default one `createCache()` (memory) per app, shared by its cached renders */
  cache?: RenderCache;
}

const KNOWN = optionNames<CachedRenderOptions>({
  key: true,
  ttl: true,
  tags: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  cache: true,
});

/** One cached render, with the framework's parts injected: its default cache and its renderer. */
export interface CachedRenderJob {
  /** The public function's name, for error messages. */
  readonly fn: string;
  readonly view: string;
  readonly locals: LocalsInput;
  readonly options: CachedRenderOptions;
  /** Option names the framework adds to {@link CachedRenderOptions} (checked by the framework). */
  readonly extraOptions?: readonly string[];
  /** The app's default cache, used when `options.cache` is absent. */
  readonly defaultCache: () => RenderCache;
  /** Renders the view to HTML; anything other than a string is refused. */
  readonly render: (view: string, locals: Locals) => unknown;
}

/**
 * The framework-neutral part of `cachedRender`: checks the options, then resolves the HTML of
 * `view` from the cache under `render:<view>:<key>`, rendering it (and loading `locals` when they
 * are a function) through `wrap` only on a miss, so concurrent misses share one render.
 */
export async function cachedRenderHtml(job: CachedRenderJob): Promise<string> {
  const { fn, view, locals, options } = job;
  checkRenderOptions(fn, view, locals, options, job.extraOptions ?? []);
  const cache = options.cache ?? job.defaultCache();
  const wrapOptions = {
    ...(options.ttl === undefined ? {} : { ttl: options.ttl }),
    ...(options.tags === undefined ? {} : { tags: options.tags }),
    ...(options.staleWhileRevalidate === undefined
      ? {}
      : { staleWhileRevalidate: options.staleWhileRevalidate }),
    ...(options.staleIfError === undefined ? {} : { staleIfError: options.staleIfError }),
  };
  const compute = async (): Promise<string> => {
    const html = await job.render(view, typeof locals === 'function' ? await locals() : locals);
    if (typeof html !== 'string') {
      // Caching a non-string (a stream, a file path, undefined) would replay an empty or wrong page.
      throw new TypeError(
        `${fn}: rendering ${JSON.stringify(view)} produced ${inspect(html, { depth: 0 })}, not an HTML string`,
      );
    }
    return html;
  };
  const html: unknown = await cache.wrap(
    `render:${view}:${options.key ?? ''}`,
    compute,
    wrapOptions,
  );
  // A value under the key that is not text was not stored here (a foreign writer, a store that
  // lies): render the page rather than send it; the entry is left for its writer or its expiry.
  return typeof html === 'string' ? html : compute();
}

function checkRenderOptions(
  fn: string,
  view: string,
  locals: LocalsInput,
  options: CachedRenderOptions,
  extra: readonly string[],
): void {
  if (typeof view !== 'string' || view === '') {
    throw new TypeError(`${fn}: view must be a non-empty string, got ${inspect(view)}`);
  }
  if (typeof locals !== 'function' && (typeof locals !== 'object' || locals === null)) {
    throw new TypeError(`${fn}: locals must be an object or a function, got ${inspect(locals)}`);
  }
  checkOptions(options, [...KNOWN, ...extra], fn);
  if (options.key !== undefined && typeof options.key !== 'string') {
    throw new TypeError(`${fn}: option "key" must be a string, got ${inspect(options.key)}`);
  }
  if (options.cache !== undefined && typeof options.cache?.wrap !== 'function') {
    throw new TypeError(
      `${fn}: option "cache" must be a Cache from createCache(), got ${inspect(options.cache, { depth: 0 })}`,
    );
  }
  parseOptionalDuration(options.ttl, fn, 'ttl');
  parseOptionalDuration(options.staleWhileRevalidate, fn, 'staleWhileRevalidate');
  parseOptionalDuration(options.staleIfError, fn, 'staleIfError');
  if (
    options.tags !== undefined &&
    (!Array.isArray(options.tags) || !options.tags.every((t) => typeof t === 'string' && t !== ''))
  ) {
    throw new TypeError(
      `${fn}: option "tags" must be an array of non-empty strings, got ${inspect(options.tags)}`,
    );
  }
}
