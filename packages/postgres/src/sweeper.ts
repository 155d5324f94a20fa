import type { Statement, Statements } from './statements.ts';

/** What one sweep removed. */
export interface SweepResult {
  /** Expired rows deleted. */
  readonly expired: number;
  /** Live rows evicted to bring the table down to `maxEntries`. */
  readonly evicted: number;
}

/** Rows deleted per statement: short transactions, short row locks. */
export const SWEEP_BATCH = 500;
/** Writes between two write-triggered sweeps, at most (a tenth of `maxEntries` when smaller). */
const WRITES_PER_SWEEP = 1000;

interface SweeperOptions {
  readonly query: (
    sql: Statement,
    values: unknown[],
  ) => Promise<{ rowCount: number | null; rows: readonly Record<string, unknown>[] }>;
  readonly sql: Statements;
  readonly maxEntries: number;
  readonly intervalMs: number;
  readonly now: () => number;
  /** Bytes every tag or function stamp key holds; eviction spares those rows while others remain. */
  readonly stampMark: Buffer;
  readonly onError: ((error: Error) => void) | undefined;
}

/** The expiry sweeper: deletes expired rows, then evicts past `maxEntries`, in small batches. */
export interface Sweeper {
  sweep(): Promise<SweepResult>;
  /** Counts a write; every so many writes a sweep starts in the background. */
  noteWrite(count?: number): void;
  stop(): void;
}

/**
 * Creates the sweeper and starts its unref'd timer. Expired rows are never deleted by reads and
 * no write counts the table: the sweeper does both, off the request path, with
 * `FOR UPDATE SKIP LOCKED` so that two processes sweeping at once split the work.
 */
export function createSweeper(options: SweeperOptions): Sweeper {
  const { query, sql, maxEntries, now } = options;
  const writesPerSweep = Math.max(1, Math.min(WRITES_PER_SWEEP, Math.floor(maxEntries / 10)));
  let writes = 0;
  let running: Promise<SweepResult> | undefined;
  let queued: Promise<SweepResult> | undefined;

  async function deleteAll(
    text: Statement,
    values: (batch: number) => unknown[],
    limit = Number.POSITIVE_INFINITY,
  ) {
    let total = 0;
    while (total < limit) {
      const batch = Math.min(SWEEP_BATCH, limit - total);
      const { rowCount } = await query(text, values(batch));
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < batch) break;
    }
    return total;
  }

  async function run(): Promise<SweepResult> {
    const expired = await deleteAll(sql.sweepBatch, (batch) => [now(), batch]);
    let evicted = 0;
    if (maxEntries !== Number.POSITIVE_INFINITY) {
      const { rows } = await query(sql.count, []);
      const excess = Number(rows[0]?.n ?? 0) - maxEntries;
      if (excess > 0) {
        // Entries go first; stamps only if the table is still over the bound without them,
        // since losing a stamp invalidates every entry tagged with it.
        evicted = await deleteAll(
          sql.evictBatch,
          (batch) => [batch, true, options.stampMark],
          excess,
        );
        if (evicted < excess) {
          evicted += await deleteAll(
            sql.evictBatch,
            (batch) => [batch, false, options.stampMark],
            excess - evicted,
          );
        }
      }
    }
    return { expired, evicted };
  }

  // A sweep asked for while one runs starts after it (the running one may have begun before the
  // rows the caller cares about expired); callers arriving meanwhile share that next sweep.
  function sweep(): Promise<SweepResult> {
    if (running === undefined) {
      running = run().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return sweep();
      });
    return queued;
  }

  function background(): void {
    if (running !== undefined) return;
    sweep().catch((error: unknown) => {
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
    });
  }

  const timer =
    options.intervalMs === Number.POSITIVE_INFINITY
      ? undefined
      : setInterval(background, Math.min(options.intervalMs, 2 ** 31 - 1));
  timer?.unref();

  return {
    sweep,
    noteWrite(count = 1) {
      writes += count;
      if (writes < writesPerSweep) return;
      writes = 0;
      background();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
    },
  };
}
