/**
 * Creates a limiter that runs at most `concurrency` tasks at once and queues the rest in call
 * order. The file store runs every file-descriptor-holding step through one, so a `getMany` of
 * 10 000 keys (or 10 000 concurrent callers) never exceeds the process's open-file limit (EMFILE).
 */
export function createLimit(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active -= 1;
    waiting.shift()?.();
  };
  return async function limited<T>(task: () => Promise<T>): Promise<T> {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
