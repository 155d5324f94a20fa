import { decodeEntry } from '@larder/core';

// A counter is stored as Redis's own decimal integer so INCRBY can update it in place; every other
// value is a codec frame. Nothing else Redis can hold under our prefix is read as a value.
const COUNTER = /^-?[0-9]{1,19}$/;

/**
 * The value a raw Redis string stands for: a frame written under `key` that has not expired at
 * `now`, or a counter; `undefined` (a miss) for anything else: no value, a foreign or truncated
 * value, a frame of another codec version, or one written under another key.
 */
export function readValue(key: string, raw: Buffer | null | undefined, now: number): unknown {
  if (raw === null || raw === undefined) return undefined;
  const counter = asCounter(raw);
  if (counter !== undefined) return counter;
  const entry = decodeEntry(raw);
  if (entry === undefined || entry.key !== key || entry.expires <= now) return undefined;
  return entry.value;
}

/** The number a raw value holds when it is a counter, else `undefined`. */
export function asCounter(raw: Buffer): number | undefined {
  if (raw.byteLength > 20 || raw.byteLength === 0) return undefined;
  const text = raw.toString('latin1');
  if (!COUNTER.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
