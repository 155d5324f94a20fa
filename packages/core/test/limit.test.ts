import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLimit } from '../src/limit.ts';

describe('createLimit', () => {
  it('runs at most `concurrency` tasks at once, in call order, and passes results and errors', async () => {
    const limited = createLimit(3);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setImmediate(resolve));
      active -= 1;
      if (i === 5) throw new Error('five');
      return i * 2;
    };
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => limited(task(i))),
    );
    assert.equal(peak, 3);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [0, 2, 4, 6, 8, 'five', 12, 14, 16, 18],
    );
  });
});
