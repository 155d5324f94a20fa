// The directory side of the file store: listing entry files, reading a key without the payload,
// pruning the oldest files and abandoned temp files, removing files that may already be gone.
import { open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readKey } from './codec.ts';

/** Entry files are named by the hex SHA-256 of their key; temp files and foreign files are not. */
const ENTRY_NAME = /^[0-9a-f]{64}$/;
/** A writer's temp file: `<entry name>.<writer id>.<sequence>.tmp`. */
const TEMP_NAME = /^[0-9a-f]{64}\.[0-9a-f]+\.\d+\.tmp$/;
/** Files handled at once when scanning, to stay far below the process's file-descriptor limit. */
const SCAN_BATCH = 64;
/** Enough to hold the frame header and any key up to ~4 KB in one read. */
const KEY_PEEK_BYTES = 4096;

/** The names of the entry files in `dir` (none when it does not exist yet). */
export async function entryNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => ENTRY_NAME.test(name));
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/**
 * One pass over `dir`: removes temp files whose last change (ctime, which `utimes` cannot move) is
 * more than `orphanMs` old, as a writer killed mid-write leaves them; then, once there are more
 * than `maxEntries` entry files, removes the oldest (by modification time, then name) down to 90 %
 * of `maxEntries` (exactly `maxEntries` below 10). Resolves how many entry files remain.
 */
export async function prune(dir: string, maxEntries: number, orphanMs: number): Promise<number> {
  let all: string[];
  try {
    all = await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  const oldest = Date.now() - orphanMs;
  await inBatches(
    all.filter((name) => TEMP_NAME.test(name)),
    async (name) => {
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info !== undefined && info.ctimeMs < oldest) await removeQuietly(join(dir, name));
    },
  );
  const names = all.filter((name) => ENTRY_NAME.test(name));
  if (names.length <= maxEntries) return names.length;
  const keep = maxEntries < 10 ? maxEntries : maxEntries - Math.floor(maxEntries / 10);
  const dated: Array<{ name: string; time: number }> = [];
  await inBatches(names, async (name) => {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info !== undefined) dated.push({ name, time: info.mtimeMs });
  });
  dated.sort((a, b) => a.time - b.time || (a.name < b.name ? -1 : 1));
  const doomed = dated.slice(0, Math.max(0, dated.length - keep));
  await inBatches(doomed, ({ name }) => removeQuietly(join(dir, name)));
  return dated.length - doomed.length;
}

/**
 * The key of an entry file, read without its payload: `undefined` when the file is not a frame
 * of ours, `null` when it vanished meanwhile.
 */
export async function peekKey(file: string): Promise<string | undefined | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  try {
    const head = Buffer.alloc(KEY_PEEK_BYTES);
    const { bytesRead } = await handle.read(head, 0, KEY_PEEK_BYTES, 0);
    const key = readKey(head.subarray(0, bytesRead));
    if (key !== undefined || bytesRead < KEY_PEEK_BYTES) return key;
    // A long key: read the whole file (the key sits right after the fixed header).
    return readKey(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** Unlinks `file`; resolves `false` when it was already gone. */
export async function removeQuietly(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/** Runs `task` over `items`, {@link SCAN_BATCH} at a time. */
export async function inBatches<T>(
  items: readonly T[],
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += SCAN_BATCH) {
    await Promise.all(items.slice(i, i + SCAN_BATCH).map(task));
  }
}

/** True for ENOENT. */
export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
