import type { StatusNames } from './cache-status.ts';
import { freshUntil, type StoredEntry } from './entry.ts';
import { replyFromEntry } from './replay.ts';
import type { CacheRequest, Reply } from './types.ts';

/** A reply made for one entry, reused while its `Age` and `ttl` stay the same (within a second). */
interface MadeReply {
  readonly age: number;
  readonly ttl: number;
  readonly names: StatusNames;
  readonly reply: Reply;
}

/** Per entry: the last GET and HEAD replies made for it (`[get, head]`). */
const made = new WeakMap<StoredEntry, [MadeReply | undefined, MadeReply | undefined]>();

/**
 * The reply for a fresh hit on `entry` (`X-Cache: HIT`, the `Cache-Status` hit with its ttl). A
 * request without validators gets the headers made once per entry and second: the same reply object
 * as the previous hit when `Age` and the `Cache-Status` ttl have not changed (nothing copied, no
 * string built). A conditional request is answered anew. The reply is shared: never mutate it.
 */
export function hitReply(
  entry: StoredEntry,
  request: CacheRequest,
  now: number,
  names: StatusNames,
): Reply {
  const headers = request.headers;
  if (headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined) {
    return replyFromEntry(entry, request, now, 'HIT', undefined, names, true);
  }
  const age = Math.max(0, Math.floor((now - entry.t) / 1000));
  const until = freshUntil(entry);
  const ttl = until === Number.POSITIVE_INFINITY ? -1 : Math.floor((until - now) / 1000);
  const slot = request.method === 'HEAD' ? 1 : 0;
  let pair = made.get(entry);
  const last = pair?.[slot];
  if (last !== undefined && last.age === age && last.ttl === ttl && last.names === names) {
    return last.reply;
  }
  const reply = replyFromEntry(entry, request, now, 'HIT', undefined, names, true);
  if (pair === undefined) {
    pair = [undefined, undefined];
    made.set(entry, pair);
  }
  pair[slot] = { age, ttl, names, reply };
  return reply;
}
