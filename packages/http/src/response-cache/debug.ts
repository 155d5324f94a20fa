import { debuglog } from 'node:util';
import type { ResolvedOptions } from './options.ts';
import type { BypassReason, CacheRequest } from './types.ts';

const log = debuglog('larder');

/**
 * True when `NODE_DEBUG` names `larder` (read once, when this module loads, as Node reads it on a
 * logger's first use): the hit path tests this constant and builds no message when it is off.
 */
export const tracing: boolean = log.enabled;

/** Logs one decision of the response cache to stderr under `NODE_DEBUG=larder`; callers test {@link tracing} first. */
export function trace(decision: string, request: CacheRequest, detail?: string): void {
  const url = request.query === '' ? request.path : `${request.path}?${request.query}`;
  log('%s %s %s%s', decision, request.method, url, detail === undefined ? '' : ` (${detail})`);
}

/**
 * Reports a request not served from the cache, or a response not stored: to `NODE_DEBUG=larder`
 * and to the `onBypass` hook, whose errors are swallowed (a hook must not fail the request).
 */
export function reportBypass(
  options: ResolvedOptions,
  reason: BypassReason,
  request: CacheRequest,
  stage: 'bypass' | 'not stored',
): void {
  if (tracing) trace(stage, request, reason);
  const hook = options.onBypass;
  if (hook === undefined) return;
  try {
    hook(reason, request);
  } catch {
    // The hook is for observing; its failure must not change what the client gets.
  }
}
