/**
 * What a browser-caching helper wants done to a response's headers. The pure helpers compute it
 * from plain header records; the Express and Koa adapters only apply it.
 */
import type { OutgoingHeaders } from './response-cache/types.ts';

/** Headers to set (lower-case names) and header names to remove, applied removals first. */
export interface HeaderPatch {
  readonly set: OutgoingHeaders;
  readonly remove: readonly string[];
}

/** A patch that changes nothing. */
export const EMPTY_PATCH: HeaderPatch = Object.freeze({
  set: Object.freeze({}) as OutgoingHeaders,
  remove: Object.freeze([]) as readonly string[],
});
