export { detachedRequest, refreshDetached } from './detached-request.ts';
export { hideValidators, replaceHeaders, writeHeaders } from './headers.ts';
export type { ActiveFill, MarkedRequest, Refreshing, RequestRole } from './request-marks.ts';
export { activeFill, adoptRefresh, markFilling, refreshing, roleOf } from './request-marks.ts';
export { mayBeRecoded, recodeEtag, settleOnHead, watchLateHeaders } from './written-headers.ts';
