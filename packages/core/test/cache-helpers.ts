import { createCache } from '../src/cache.ts';
import type { Store } from '../src/store.ts';

/** A clock tests move by hand; epoch ms. */
export function manualClock(start = 1_700_000_000_000) {
  let time = start;
  return {
    now: () => time,
    advance(seconds: number) {
      time += seconds * 1000;
    },
  };
}

/**
 * The smallest Store: a Map with expiry, only the required methods (so the facade's fallbacks run),
 * answering asynchronously when `async` is set. It records the calls it received.
 */
export function mapStore(now: () => number, options: { async?: boolean; clear?: boolean } = {}) {
  const data = new Map<string, { value: unknown; expires: number }>();
  const calls: string[] = [];
  const answer = <T>(value: T) => (options.async ? Promise.resolve(value) : value);
  const store: Store & { data: typeof data; calls: string[] } = {
    name: 'map',
    data,
    calls,
    get(key) {
      calls.push(`get ${key}`);
      const entry = data.get(key);
      if (entry === undefined || entry.expires <= now()) return answer(undefined);
      return answer(entry.value);
    },
    set(key, value, ttl) {
      calls.push(`set ${key}`);
      if (ttl !== undefined && !(ttl > 0)) data.delete(key);
      else
        data.set(key, {
          value,
          expires: ttl === undefined ? Number.POSITIVE_INFINITY : now() + ttl * 1000,
        });
      return answer(undefined);
    },
    delete(key) {
      calls.push(`delete ${key}`);
      return answer(data.delete(key));
    },
  };
  if (options.clear) {
    store.clear = (prefix = '') => {
      calls.push(`clear ${prefix}`);
      for (const key of [...data.keys()]) if (key.startsWith(prefix)) data.delete(key);
      return answer(undefined);
    };
  }
  return store;
}

/** A store whose every method fails in the given way. */
export function faultyStore(mode: 'reject' | 'throw' | 'hang'): Store {
  const fail = (): never | Promise<never> => {
    if (mode === 'throw') throw new Error('store exploded');
    if (mode === 'reject') return Promise.reject(new Error('store unreachable'));
    return new Promise<never>(() => {});
  };
  return {
    name: `faulty-${mode}`,
    get: fail,
    set: fail,
    delete: fail,
    has: fail,
    add: fail,
    getMany: fail,
    setMany: fail,
    deleteMany: fail,
    increment: fail,
    decrement: fail,
    clear: fail,
    touch: fail,
  };
}

/** Resolves after pending microtasks and one macrotask turn (lets background work settle). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A promise with its resolve/reject exposed. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Polls `condition` every millisecond until it holds (for background work on real I/O); fails after 5 s. */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let waited = 0; !(await condition()); waited++) {
    if (waited > 5000) throw new Error('until: condition never held');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A cache on one `mapStore` (`s`) with a manual clock, recording what reaches onError. */
export function wrapSetup(options: { async?: boolean } = {}) {
  const clock = manualClock();
  const errors: Error[] = [];
  const store = mapStore(clock.now, { async: options.async ?? false });
  const cache = createCache({
    now: clock.now,
    stores: { s: store },
    onError: (e) => errors.push(e),
  });
  return { clock, cache, errors, store };
}
