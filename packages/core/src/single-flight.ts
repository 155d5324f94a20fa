/**
 * In-process request coalescing: while one computation for a key is running, other callers for that
 * key get the same promise instead of starting their own (the cache-stampede guard of one process).
 * The key is released when the computation settles, success or failure, so an error is shared by
 * the callers that were waiting and the next caller tries again.
 */
export class SingleFlight {
  private readonly pending = new Map<string, Promise<unknown>>();

  /** The running computation for `key`, if any. */
  join<T>(key: string): Promise<T> | undefined {
    return this.pending.get(key) as Promise<T> | undefined;
  }

  /** Starts `task` as the computation for `key`; the caller must have checked {@link join} first. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const flight = task().finally(() => {
      if (this.pending.get(key) === flight) this.pending.delete(key);
    });
    this.pending.set(key, flight);
    return flight;
  }

  /** How many computations are running. */
  get size(): number {
    return this.pending.size;
  }
}
