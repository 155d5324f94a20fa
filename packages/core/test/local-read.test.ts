import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localRead } from '../src/local-read.ts';
import { createMemoryStore, genuineMemoryGet } from '../src/memory-store.ts';
import { createNearCache, type InvalidationListener } from '../src/near-cache.ts';

/** An in-process bus whose one subscriber the test reports connected or cut off. */
function hub() {
  let listener: InvalidationListener | undefined;
  return {
    bus: {
      async publish() {},
      subscribe(l: InvalidationListener) {
        listener = l;
        l.onStatus(true);
        return () => {};
      },
    },
    status: (up: boolean) => listener?.onStatus(up),
  };
}

describe('localRead', () => {
  it('reads a memory store synchronously, a local miss being final', async () => {
    const store = createMemoryStore();
    await store.set('k', 'v');
    const local = localRead(store);
    assert.equal(local?.final, true);
    assert.equal(local?.read('k'), 'v');
    assert.equal(local?.read('absent'), undefined);
    assert.equal(genuineMemoryGet(store), local?.read);
  });

  it("reads a near cache's tier synchronously, a local miss not being final", async () => {
    const shared = createMemoryStore();
    const { bus, status } = hub();
    const near = createNearCache(shared, bus);
    await Promise.resolve();
    await near.set('k', 'v');
    const local = localRead(near);
    assert.equal(local?.final, false);
    // The write dropped the key from the tier; the first read through the store fills it again.
    assert.equal(local?.read('k'), undefined);
    assert.equal(await near.get('k'), 'v');
    assert.equal(local?.read('k'), 'v');
    assert.equal(genuineMemoryGet(near), undefined);
    // Cut off from the bus, the tier is out of use: nothing is read locally.
    status(false);
    assert.equal(local?.read('k'), undefined);
  });

  it('refuses a spread copy, a store whose get was replaced and a look-alike', () => {
    const memory = createMemoryStore();
    const near = createNearCache(createMemoryStore(), hub().bus);
    assert.equal(localRead({ ...memory }), undefined);
    assert.equal(localRead({ ...near }), undefined);
    const decorated = createNearCache(createMemoryStore(), hub().bus);
    decorated.get = () => 'forged';
    assert.equal(localRead(decorated), undefined);
    assert.equal(localRead({ name: 'memory', get: memory.get }), undefined);
  });
});
