/**
 * Runs async operations one at a time per key, in call order, so that a read-modify-write on one
 * key (add, increment, touch) cannot interleave with another in the same process. Different keys
 * run concurrently. Each key's chain is dropped once it drains, so idle keys cost nothing.
 */
export function createKeyQueue(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return function exclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key);
    const run = previous === undefined ? task() : previous.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
