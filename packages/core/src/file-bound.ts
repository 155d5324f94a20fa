// Keeps a file store's directory within `maxEntries` however many writers, in however many
// processes, share it. Each write appends one byte to a journal file in the directory (O_APPEND:
// appends from every process land whole, in order), so the journal's size counts every write by
// anyone. A process knows the entry count at its last scan and the journal size just before it;
// count + writes since is an upper bound on the entries now. A write whose bound passes
// `maxEntries` scans (and prunes) after its own rename, so the last write to settle always sees
// every file: once writers settle, the directory holds at most `maxEntries` entries.
import { open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissing, prune } from './file-entries.ts';

/** The journal's name: not an entry name, so listing and `clear` pass it by. */
export const JOURNAL_NAME = '.larder-writes';
/** Past this size a scan starts a fresh journal (one byte per write: about a million writes). */
const ROTATE_BYTES = 1_048_576;

interface Mark {
  readonly ino: number;
  readonly size: number;
}

/** What {@link createEntryBound} needs from its store. */
export interface EntryBoundOptions {
  readonly dir: string;
  readonly maxEntries: number;
  /** Age in ms past which a temp file counts as abandoned. */
  readonly orphanMs: number;
  readonly mode: number;
  /** The store's open-file limiter. */
  readonly withFile: <T>(task: () => Promise<T>) => Promise<T>;
}

/** The bound keeper of one file store: call `afterWrite` once each write's rename is done. */
export interface EntryBound {
  afterWrite(): Promise<void>;
  /** Forgets the last count (after `clear`), so the next write scans. */
  forget(): void;
}

/** Creates the bound keeper for one file store instance. */
export function createEntryBound(options: EntryBoundOptions): EntryBound {
  const { dir, maxEntries, orphanMs, mode, withFile } = options;
  const journal = join(dir, JOURNAL_NAME);
  let known: { count: number; mark: Mark } | undefined;
  let current: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  async function scanOnce(): Promise<void> {
    // Read the journal before listing: a write journaled after this point is counted again even
    // if the listing saw its file, which errs on the side of scanning.
    const mark = await readMark(journal);
    const count = await prune(dir, maxEntries, orphanMs);
    if (mark.size <= ROTATE_BYTES) {
      known = { count, mark };
      return;
    }
    // Writes journaled since `mark` stay counted across the swap.
    const before = await readMark(journal);
    known = {
      count: count + Math.max(0, before.size - mark.size),
      mark: await restart(journal, mode),
    };
  }

  function start(): Promise<void> {
    current = scanOnce().finally(() => {
      current = undefined;
    });
    return current;
  }

  // One scan at a time; a write that lands during a scan waits for one more scan that starts
  // after it, shared by every write landing meanwhile.
  function rescan(): Promise<void> {
    if (queued !== undefined) return queued;
    if (current === undefined) return start();
    queued = current.then(
      () => {
        queued = undefined;
        return start();
      },
      () => {
        queued = undefined;
        return start();
      },
    );
    return queued;
  }

  return {
    async afterWrite() {
      if (maxEntries === Number.POSITIVE_INFINITY) {
        // No bound to keep; the first write still sweeps abandoned temp files.
        if (known === undefined) await rescan();
        return;
      }
      const mark = await withFile(() => appendMark(journal, mode));
      if (
        known === undefined ||
        mark === undefined ||
        mark.ino !== known.mark.ino ||
        known.count + (mark.size - known.mark.size) > maxEntries
      ) {
        await rescan();
      }
    },
    forget() {
      known = undefined;
    },
  };
}

// Appends one byte and reads the size it left; `undefined` when the directory is gone.
async function appendMark(journal: string, mode: number): Promise<Mark | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(journal, 'a', mode);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    await handle.write(ONE);
    const info = await handle.stat();
    return { ino: info.ino, size: info.size };
  } finally {
    await handle.close();
  }
}

async function readMark(journal: string): Promise<Mark> {
  try {
    const info = await stat(journal);
    return { ino: info.ino, size: info.size };
  } catch (error) {
    if (isMissing(error)) return { ino: -1, size: 0 };
    throw error;
  }
}

// Swaps in an empty journal. Every process notices the new inode on its next write and rescans.
async function restart(journal: string, mode: number): Promise<Mark> {
  const temp = `${journal}.${process.pid}.new`;
  const handle = await open(temp, 'w', mode);
  await handle.close();
  await rename(temp, journal);
  return readMark(journal);
}

const ONE = Buffer.from('.');
