import type { CacheView } from './cache-view.ts';
import { type Duration, parseDuration } from './duration.ts';
import { isEnvelope, isWellFormed, makeEntry } from './entry.ts';
import { isThenable } from './guarded-store.ts';
import { lookup } from './lookup.ts';

/**
 * `touch`: gives a fresh value a new TTL. A plain value uses the store's `touch` (or is written
 * again); an envelope is rewritten with the new fresh time, keeping its stale window and stamps.
 */
export async function touchKey(view: CacheView, key: string, ttl: Duration): Promise<boolean> {
  const seconds = parseDuration(ttl, 'cache.touch', 'ttl');
  const { backend } = view;
  const full = view.prefix + key;
  let raw = backend.get(full);
  if (isThenable(raw)) raw = await raw;
  const now = view.ctx.now();
  let found = lookup(backend, raw, now);
  if (isThenable(found)) found = await found;
  if (found === undefined || found.staleMs >= 0) return false;
  if (!isEnvelope(raw)) {
    const touched = backend.touch(full, seconds);
    if (touched !== undefined) return touched;
    await backend.set(full, raw, seconds);
    return true;
  }
  if (!isWellFormed(raw)) return false;
  const window = raw[3] - raw[2];
  const freshUntil = now + seconds * 1000;
  const entry = makeEntry(raw[1], freshUntil, freshUntil + window, raw[4]);
  await backend.set(full, entry, Number.isFinite(window) ? seconds + window / 1000 : undefined);
  return true;
}
