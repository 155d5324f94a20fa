export type {
  CacheControlInput,
  CacheControlOptions,
  CacheExpiresValue,
  CacheHeadersOptions,
  EtagCacheOptions,
  ResponseCacheAdmin,
  ResponseCacheControl,
  ResponseCacheOptions,
  ResponseCacheStats,
} from '@larder/http';
export type { CacheFrontHandler, CacheFrontOptions } from '@larder/http/node';
export { cacheControl, cacheExpires, noCache } from './browser-cache.ts';
export { cacheFront } from './cache-front.ts';
export type { CacheHeadersMiddleware } from './cache-headers.ts';
export { cacheHeaders } from './cache-headers.ts';
export type { CachedRenderOptions, Locals, RenderCache } from './cached-render.ts';
export { cachedRender } from './cached-render.ts';
export { etagCache } from './etag-cache.ts';
export type { ResponseCacheMiddleware } from './response-cache.ts';
export { responseCache } from './response-cache.ts';
export {
  cacheTags,
  cacheTtl,
  responseCacheControl,
  skipCache,
} from './response-cache-control.ts';
