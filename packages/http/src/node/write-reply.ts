import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from '../response-cache/types.ts';
import { mayBeRecoded, watchLateHeaders } from './written-headers.ts';

const nodeWriteHead = ServerResponse.prototype.writeHead;

/**
 * Writes a hit, a 304 or a stale entry to a Node response in one go: the engine has prepared every
 * header. When compression outside the cache may encode it, its strong ETag gets the coding's
 * suffix (RFC 9110 §8.8.3).
 */
export function writeReply(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (!mayBeRecoded(req.headers['accept-encoding'], reply.headers) || !mayBeHooked(res, reply)) {
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
    return;
  }
  const unwatch = watchLateHeaders(res, undefined);
  try {
    res.writeHead(reply.status, reply.headers);
  } finally {
    unwatch();
  }
  res.end(reply.body);
}

/**
 * True when writing the head may set a content coding: a hook replaced `writeHead` (compression
 * and others, through on-headers), or the reply names one itself. Node's own `writeHead` sets only
 * the reply's fields, so with neither there is nothing to watch (no wrapper made per hit).
 */
function mayBeHooked(res: ServerResponse, reply: Reply): boolean {
  return res.writeHead !== nodeWriteHead || reply.headers['content-encoding'] !== undefined;
}
