import type { ServerResponse } from 'node:http';
import { browserCacheHelpers } from '@larder/http';
import { applyHeaderPatch } from './apply-header-patch.ts';

/**
 * `cacheControl(res, directives, options?)`, `cacheExpires(res, when, directives?)` and
 * `noCache(res, enabled?)` on an Express (or plain Node) response; documented on
 * `BrowserCacheHelpers` in `@larder/http`.
 *
 * @example cacheExpires(res, '10m', { public: true });
 */
export const { cacheControl, cacheExpires, noCache } = browserCacheHelpers<ServerResponse>({
  headers: (res) => res.getHeaders(),
  apply: applyHeaderPatch,
});
