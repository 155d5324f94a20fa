import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCache } from '../src/cache.ts';
import { createFileStore } from '../src/file-store.ts';
import { manualClock, until } from './cache-helpers.ts';

// The facade over a serializing store: envelopes, stamps and counters survive encoding.
describe('createCache over the file store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'larder-cache-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const setup = () => {
    const clock = manualClock();
    const disk = createFileStore({ dir, now: clock.now });
    return { clock, cache: createCache({ now: clock.now, stores: { disk } }) };
  };

  it('round-trips a Buffer byte for byte, plain and inside an envelope', async () => {
    const { cache } = setup();
    const body = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    await cache.set('plain', body, 60);
    await cache.set('tagged', body, { ttl: 60, tags: ['pages'] });
    const plain = await cache.get<Buffer>('plain');
    const tagged = await cache.get<Buffer>('tagged');
    assert.ok(Buffer.isBuffer(plain) && Buffer.isBuffer(tagged));
    assert.deepEqual(plain, body);
    assert.deepEqual(tagged, body);
    await cache.invalidateTags(['pages']);
    assert.equal(await cache.get('tagged'), undefined);
  });

  it('serves stale-while-revalidate from a file entry and refreshes it', async () => {
    const { cache, clock } = setup();
    let calls = 0;
    const options = { ttl: 10, staleWhileRevalidate: 60 };
    await cache.wrap('swr', () => `v${++calls}`, options);
    clock.advance(20);
    assert.equal(await cache.wrap('swr', () => `v${++calls}`, options), 'v1');
    await until(async () => (await cache.get('swr')) === 'v2');
    assert.equal(await cache.wrap('swr', () => `v${++calls}`, options), 'v2');
  });

  it('counts with increment and memoizes', async () => {
    const { cache } = setup();
    assert.equal(await cache.increment('n', 2), 2);
    assert.equal(await cache.increment('n'), 3);
    let calls = 0;
    const square = cache.memoize(
      (x: number) => {
        calls++;
        return x * x;
      },
      { name: 'square' },
    );
    assert.equal(await square(4), 16);
    assert.equal(await square(4), 16);
    await square.invalidateAll();
    assert.equal(await square(4), 16);
    assert.equal(calls, 2);
  });
});
