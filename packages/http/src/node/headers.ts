import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OutgoingHeaders } from '../response-cache/types.ts';

/**
 * Hides the request's validators from the handler while it fills the cache, and returns the
 * function that puts them back. On a miss the handler must produce the full 200 to store: Express
 * (`res.send`, `res.sendFile`) or a conditional-get middleware would otherwise answer a bodiless
 * 304; the engine answers the validators itself from the stored entry (RFC 9110 §13.1).
 */
export function hideValidators(req: IncomingMessage): () => void {
  const original = req.headers;
  if (original['if-none-match'] !== undefined || original['if-modified-since'] !== undefined) {
    const hidden = { ...original };
    delete hidden['if-none-match'];
    delete hidden['if-modified-since'];
    req.headers = hidden;
  }
  return () => {
    req.headers = original;
  };
}

/** Sets each of the engine's headers on a Node response. */
export function writeHeaders(res: ServerResponse, headers: OutgoingHeaders): void {
  for (const name in headers) res.setHeader(name, headers[name] as string | string[]);
}

/**
 * Makes the engine's headers the response's whole header set: drops every other header the
 * handler set, then sets these (a reply carries all its headers, a 304 only its subset).
 */
export function replaceHeaders(res: ServerResponse, headers: OutgoingHeaders): void {
  for (const name of res.getHeaderNames()) {
    if (!(name in headers)) res.removeHeader(name);
  }
  writeHeaders(res, headers);
}
