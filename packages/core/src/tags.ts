import { randomBytes } from 'node:crypto';
import { type GuardedStore, isThenable } from './guarded-store.ts';

// Tags are version stamps kept in the store itself, next to the entries, so invalidation works on
// every backend and across processes sharing it: an entry records the stamps of its tags when its
// value was computed; `invalidateTags` writes new stamps; a read that finds a different stamp (or
// none: evicted, expired, never written) treats the entry as a miss. Invalidation is O(1) per tag,
// and an entry without tags costs nothing extra on read. memoize's `invalidateAll` is the same
// mechanism with one stamp per function.

/** The segment under which the cache keeps its own keys (tag and function stamps). */
export const RESERVED_SEGMENT = '_larder:';

/** The store key of the stamp of a user tag. */
export function tagKey(rootPrefix: string, tag: string): string {
  return `${rootPrefix}${RESERVED_SEGMENT}tag:${tag}`;
}

/** The store key of the stamp of a memoized function (`scope` = its namespace prefix and name). */
export function functionKey(rootPrefix: string, scope: string): string {
  return `${rootPrefix}${RESERVED_SEGMENT}fn:${scope}`;
}

// Unique across processes (random origin) and within one (counter): a stamp never repeats, so an
// evicted and recreated stamp can never revalidate an entry invalidated meanwhile.
const ORIGIN = randomBytes(6).toString('base64url');
let sequence = 0;

/** A stamp no other write has used. */
function newStamp(): string {
  sequence += 1;
  return `${ORIGIN}.${sequence.toString(36)}`;
}

/**
 * Reads (creating where missing) the current stamps of `keys`, as the flat `[key, stamp, …]` list an
 * entry records. Resolves `undefined` when a stamp could not be read or written: the caller must
 * then not store the value.
 */
export async function snapshotStamps(
  store: GuardedStore,
  keys: readonly string[],
): Promise<string[] | undefined> {
  const current = await store.getMany(keys);
  const flat: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    let stamp = current[i];
    if (stamp === undefined) stamp = await createStamp(store, key);
    if (typeof stamp !== 'string') return undefined;
    flat.push(key, stamp);
  }
  return flat;
}

async function createStamp(store: GuardedStore, key: string): Promise<unknown> {
  const stamp = newStamp();
  const added = store.add(key, stamp, Number.POSITIVE_INFINITY);
  if (added === undefined) {
    await store.set(key, stamp, Number.POSITIVE_INFINITY);
    return stamp;
  }
  // Another writer may have created the stamp first: theirs is the one to record.
  return (await added) ? stamp : store.get(key);
}

/** True when every stamp recorded in an entry is still the current one. */
export function stampsCurrent(
  store: GuardedStore,
  flat: readonly string[],
): boolean | Promise<boolean> {
  const keys: string[] = [];
  for (let i = 0; i < flat.length; i += 2) keys.push(flat[i]!);
  const compare = (current: unknown[]) => current.every((stamp, i) => stamp === flat[i * 2 + 1]);
  const current = store.getMany(keys);
  return isThenable(current) ? Promise.resolve(current).then(compare) : compare(current);
}

/** Gives every key a new stamp, invalidating the entries that recorded the old one. */
export async function bumpStamps(store: GuardedStore, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const stamp = newStamp();
  await store.setMany(
    keys.map((key) => [key, stamp] as const),
    Number.POSITIVE_INFINITY,
  );
}
