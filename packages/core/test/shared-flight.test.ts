import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCache } from '../src/cache.ts';
import { createMemoryStore } from '../src/memory-store.ts';
import { canShareFlights, joinSharedFlight } from '../src/shared-flight.ts';
import type { Store, StoreLock } from '../src/store.ts';

/** A memory store that claims to be shared, with the given lock (a store that lies or dies). */
function sharedStore(lock: Store['lock']): Store {
  const { get, set, delete: remove } = createMemoryStore();
  return { get, set, delete: remove, capabilities: { shared: true }, ...(lock ? { lock } : {}) };
}

const never = () => new Promise<never>(() => {});
const options = (errors: Error[] = []) => ({
  deadlineMs: 200,
  timeoutMs: 50,
  report: (error: Error) => void errors.push(error),
});

describe('joinSharedFlight', () => {
  test('only a shared store with lock takes part', () => {
    assert.equal(canShareFlights(createMemoryStore()), false);
    assert.equal(canShareFlights(sharedStore(undefined)), false);
    assert.equal(canShareFlights(sharedStore(() => undefined)), true);
  });

  for (const [label, lock] of [
    [
      'throws',
      () => {
        throw new Error('down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('down'))],
    ['never answers', never],
    ['answers something that is not a lock', () => Promise.resolve(42 as unknown as StoreLock)],
  ] as const) {
    test(`computes at once, without a lock, when the lock call ${label}, and reports it`, async () => {
      const errors: Error[] = [];
      let reads = 0;
      const turn = await joinSharedFlight(
        sharedStore(lock),
        'k',
        async () => {
          reads += 1;
          return undefined;
        },
        options(errors),
      );
      assert.deepEqual(turn, { lock: undefined });
      assert.equal(reads, 0, 'no polling');
      assert.equal(errors.length, 1);
      assert.match(errors[0]!.message, /store lock on "k" failed/);
    });
  }

  test('waits while another holds the lock and returns the value once it is stored', async () => {
    let stored: { value: string } | undefined;
    setTimeout(() => {
      stored = { value: 'theirs' };
    }, 60);
    const turn = await joinSharedFlight(
      sharedStore(() => undefined),
      'k',
      async () => stored,
      options(),
    );
    assert.deepEqual(turn.found, { value: 'theirs' });
  });

  test('computes without the lock once the deadline passes (a holder that died)', async () => {
    let reads = 0;
    const turn = await joinSharedFlight(
      sharedStore(() => undefined),
      'k',
      async () => {
        reads += 1;
        return undefined;
      },
      options(),
    );
    assert.deepEqual(turn, { lock: undefined });
    assert.ok(reads >= 2, `looked at the store ${reads} times`);
  });

  test('the lock winner looks once more and hands back a value that landed meanwhile', async () => {
    let released = 0;
    const lock: StoreLock = {
      release: () => {
        released += 1;
      },
    };
    const turn = await joinSharedFlight(
      sharedStore(() => lock),
      'k',
      async () => ({ value: 'landed' }),
      options(),
    );
    assert.deepEqual(turn.found, { value: 'landed' });
    assert.equal(released, 1, 'the lock is released at once');
  });
});

describe('cache.wrap on a shared store whose lock hangs', () => {
  test('computes and stores the value after the lock timeout instead of stalling', async () => {
    const errors: Error[] = [];
    const store = sharedStore(never);
    const cache = createCache({
      stores: { s: store },
      timeout: '50ms',
      onError: (e) => errors.push(e),
    });
    let runs = 0;
    const values = await Promise.all(
      Array.from({ length: 5 }, () => cache.wrap('k', async () => `v${++runs}`)),
    );
    assert.deepEqual(values, ['v1', 'v1', 'v1', 'v1', 'v1']);
    assert.equal(await store.get('k'), 'v1');
    assert.equal(errors.length, 1, 'one lock failure reported for the one computation');
  });
});
