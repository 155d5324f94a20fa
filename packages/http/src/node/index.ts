export { captureFill } from './capture-fill.ts';
export type { Capture, CaptureSink } from './capture-response.ts';
export { captureResponse } from './capture-response.ts';
export { detachedRequest, refreshDetached } from './detached-request.ts';
export type { CacheFrontHandler, CacheFrontOptions, NodeHandler } from './front.ts';
export { createCacheFront } from './front.ts';
export { hideValidators, replaceHeaders, writeHeaders } from './headers.ts';
export type { NodeRequestHandler, NodeResponseCache } from './node-response-cache.ts';
export {
  cacheTags,
  cacheTtl,
  responseCacheControl,
  skipCache,
  withResponseCache,
} from './node-response-cache.ts';
export type {
  ActiveFill,
  Counted,
  MarkedRequest,
  Refreshing,
  RequestRole,
} from './request-marks.ts';
export {
  activeFill,
  adoptRefresh,
  counted,
  countOnce,
  markFilling,
  refreshing,
  roleOf,
} from './request-marks.ts';
export type {
  FillSteps,
  ResponseCacheDrive,
  ResponseCachePort,
} from './response-cache-driver.ts';
export { responseCacheDriver } from './response-cache-driver.ts';
export { writeReply } from './write-reply.ts';
export { mayBeRecoded, recodeEtag, settleOnHead, watchLateHeaders } from './written-headers.ts';
