import { type CodecEntry, decodeEntry } from '@larder/core';
import type { Reply } from './binary-protocol.ts';

// What the store keeps in memcached, told apart by the item's 32-bit flags (memcached keeps them
// through increments): entries are core codec frames, counters are memcached's own decimal numbers.
/** An entry: a core codec frame (magic, version, CRC-32, the full key, expiry, value). */
export const FLAG_ENTRY = 0x4c520001;
/** A counter: memcached's decimal text, offset by {@link COUNTER_OFFSET}. */
export const FLAG_COUNTER = 0x4c520002;
/** A lock: the owner's random token. */
export const FLAG_LOCK = 0x4c520003;
/** The clear log (see clear-log.ts). */
export const FLAG_LOG = 0x4c520004;

/**
 * Memcached counters are unsigned 64-bit and a decrement stops at 0, while a store counter may go
 * negative: counters are kept as `2^52 + value`, so every value in ±2^52 is exact as a JS number.
 */
export const COUNTER_OFFSET = 2 ** 52;

/**
 * Bytes memcached needs beside key and value in one item (its item header, CAS and suffix);
 * a value is refused when key, value and this exceed the item size limit.
 */
export const ITEM_OVERHEAD = 64;

/** The entry in a reply, if it is one of ours, written under `key`, and not expired at `now`. */
export function entryOf(reply: Reply, key: string, now: number): CodecEntry | undefined {
  if (reply.flags !== FLAG_ENTRY) return undefined;
  const entry = decodeEntry(reply.value);
  if (entry === undefined || entry.key !== key || !(now < entry.expires)) return undefined;
  return entry;
}

/** A counter's value from its item text, or `undefined` when it is not a number. */
export function counterOf(reply: Reply): number | undefined {
  if (reply.flags !== FLAG_COUNTER) return undefined;
  // Memcached pads a counter that shrank in place with spaces.
  const text = reply.value.toString('latin1').trim();
  if (!/^\d{1,17}$/.test(text)) return undefined;
  return Number(text) - COUNTER_OFFSET;
}

/** What `get` returns for an item: an entry's value, a counter, or a miss for anything else. */
export function itemValue(reply: Reply, key: string, now: number): unknown {
  if (reply.flags === FLAG_COUNTER) return counterOf(reply);
  return entryOf(reply, key, now)?.value;
}

/** The item text of a counter holding `value`. */
export function counterText(value: number): Buffer {
  return Buffer.from(String(COUNTER_OFFSET + value), 'latin1');
}
