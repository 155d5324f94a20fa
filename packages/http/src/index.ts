export type {
  BrowserCacheHelpers,
  CacheControlOptions,
  CacheExpiresValue,
  HeaderAccess,
} from './browser-cache.ts';
export {
  browserCacheHelpers,
  cacheControlPatch,
  cacheExpiresPatch,
  NEVER_EXPIRES_SECONDS,
  NO_CACHE_HEADERS,
  noCachePatch,
} from './browser-cache.ts';
export type { CacheControl, CacheControlInput } from './cache-control.ts';
export {
  formatCacheControl,
  MAX_DELTA_SECONDS,
  mergeCacheControl,
  parseCacheControl,
} from './cache-control.ts';
export type {
  CacheHeadersOptions,
  FinishedResponse,
  ResolvedCacheHeaders,
} from './cache-headers.ts';
export { cacheHeadersPatch, resolveCacheHeadersOptions } from './cache-headers.ts';
export type {
  CachedRenderJob,
  CachedRenderOptions,
  Locals,
  LocalsInput,
  RenderCache,
} from './cached-render.ts';
export { cachedRenderHtml } from './cached-render.ts';
export type { ConditionalRequest, Validators } from './conditional.ts';
export {
  isNotModified,
  notModifiedHeaders,
  notModifiedRemovals,
  preconditionFailed,
} from './conditional.ts';
export type { ETagOptions } from './etag.ts';
export {
  etagForCoding,
  etagFromBody,
  etagFromKey,
  isETag,
  parseETagList,
  strongCompare,
  weakCompare,
} from './etag.ts';
export type { EtagCacheDecision, EtagCacheOptions, PendingResponse } from './etag-cache.ts';
export { etagCacheDecision } from './etag-cache.ts';
export type { HeaderPatch } from './header-patch.ts';
export { EMPTY_PATCH } from './header-patch.ts';
export { formatHttpDate, parseHttpDate } from './http-date.ts';
export { bindAdmin } from './response-cache/admin.ts';
export { rewrittenUrl, toCacheRequest } from './response-cache/cache-request.ts';
export type { ResponseCacheControlHelpers } from './response-cache/control-helpers.ts';
export { responseCacheControlHelpers } from './response-cache/control-helpers.ts';
export type { CookieOption } from './response-cache/cookies.ts';
export { createResponseCache } from './response-cache/engine.ts';
export { defaultResponseStore } from './response-cache/store-access.ts';
export type {
  BypassReason,
  CacheRequest,
  CapturedResponse,
  Decision,
  Fill,
  HeaderRecord,
  HeaderValue,
  OutgoingHeaders,
  PendingReply,
  Reply,
  ResponseCacheAdmin,
  ResponseCacheControl,
  ResponseCacheEngine,
  ResponseCacheOptions,
  ResponseCacheStats,
} from './response-cache/types.ts';
export { mergeVary, parseVary } from './vary.ts';
