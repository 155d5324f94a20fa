import type { Invalidation } from './near-cache.ts';

/**
 * The text an {@link InvalidationBus} sends for `message` (Redis pub/sub, PostgreSQL NOTIFY).
 * Past `maxBytes` (a backend's payload limit) it widens to "drop everything": a lost key list
 * must never leave a stale entry in another process.
 */
export function encodeInvalidation(message: Invalidation, maxBytes = Infinity): string {
  const text = JSON.stringify('prefix' in message ? { p: message.prefix } : { k: message.keys });
  return Buffer.byteLength(text) > maxBytes ? JSON.stringify({ p: '' }) : text;
}

/** Reads what {@link encodeInvalidation} wrote; `undefined` for any other text. */
export function decodeInvalidation(text: string): Invalidation | undefined {
  try {
    const data = JSON.parse(text) as { p?: unknown; k?: unknown };
    if (typeof data.p === 'string') return { prefix: data.p };
    if (Array.isArray(data.k) && data.k.every((k) => typeof k === 'string'))
      return { keys: data.k };
  } catch {
    // Not ours: the caller decides what an unreadable message means.
  }
  return undefined;
}
