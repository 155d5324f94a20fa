import { randomBytes } from 'node:crypto';
import type { StoreLock } from '@larder/core';
import { exptime, OP, STATUS, storageExtras } from './binary-protocol.ts';
import { itemName } from './clear-log.ts';
import { FLAG_LOCK } from './items.ts';
import { type Call, check } from './requests.ts';

/**
 * Takes the lock on `key` for `ttl` seconds (rounded up to whole seconds, plus up to one for
 * memcached's once-a-second clock) with an atomic add of a random token; `undefined` when someone holds it. Lock items live outside
 * the cleared generations: a clear does not free a lock.
 */
export async function takeLock(
  call: Call,
  prefix: string,
  key: string,
  ttl: number,
): Promise<StoreLock | undefined> {
  const name = itemName(prefix, 'l', key);
  const token = randomBytes(16);
  const extras = storageExtras(FLAG_LOCK, exptime(ttl));
  const taken = check(await call(OP.add, name, extras, token), 'lock', STATUS.exists);
  if (taken.status !== STATUS.ok) return undefined;
  let released: Promise<void> | undefined;
  const unlock = async () => {
    const item = check(await call(OP.get, name), 'get', STATUS.notFound);
    // Only the holder's token is removed, and only if unchanged since read (delete with CAS):
    // a lock that expired and was taken by someone else stays theirs.
    if (item.status !== STATUS.ok || item.flags !== FLAG_LOCK || !item.value.equals(token)) return;
    check(
      await call(OP.delete, name, undefined, undefined, item.cas),
      'unlock',
      STATUS.notFound,
      STATUS.exists,
    );
  };
  return { release: () => (released ??= unlock()) };
}
