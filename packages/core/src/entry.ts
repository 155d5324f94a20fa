/**
 * The envelope the cache stores around a value that needs metadata: stale windows or tags.
 * A plain value (no stale window, no tags) is stored as itself, so a Buffer body stays a Buffer in
 * every store and counters stay numbers the store can increment; the store's TTL expires it.
 *
 * Layout: `[ENTRY_MARK, value, freshUntil, serveUntil, versions?]`, times in epoch ms
 * (`Infinity` for never), `versions` a flat `[versionKey, version, …]` list of the tag and memoize
 * versions seen when the value was computed. A user value that itself looks like an envelope is
 * always wrapped, so a stored array opening with the mark is always ours.
 */
export type Entry = [
  mark: typeof ENTRY_MARK,
  value: unknown,
  freshUntil: number,
  serveUntil: number,
  versions?: string[],
];

/** Opens every envelope; a new layout gets a new mark, and an old reader sees a miss. */
export const ENTRY_MARK = 'larder:entry:1';

/**
 * True when a stored value is an envelope written by the cache (well-formed or not); a user value
 * for which this holds cannot be stored as itself, since a reader would take it for an envelope.
 */
export function isEnvelope(raw: unknown): raw is unknown[] {
  return Array.isArray(raw) && raw[0] === ENTRY_MARK;
}

/** True when an envelope has the layout this build writes; anything else is read as a miss. */
export function isWellFormed(raw: unknown[]): raw is Entry {
  const versions = raw[4];
  return (
    (raw.length === 4 || raw.length === 5) &&
    typeof raw[2] === 'number' &&
    typeof raw[3] === 'number' &&
    !Number.isNaN(raw[2]) &&
    !(raw[3] < raw[2]) &&
    (versions === undefined ||
      (Array.isArray(versions) &&
        versions.length % 2 === 0 &&
        versions.every((part) => typeof part === 'string')))
  );
}

/** Builds an envelope; `versions` only when the value carries tags or a memoize version. */
export function makeEntry(
  value: unknown,
  freshUntil: number,
  serveUntil: number,
  versions: string[] | undefined,
): Entry {
  return versions === undefined
    ? [ENTRY_MARK, value, freshUntil, serveUntil]
    : [ENTRY_MARK, value, freshUntil, serveUntil, versions];
}
