import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '@larder/core';
import { counted, engineWith, get, ok, run } from './helpers.ts';

const rejecting: Store = {
  get: () => Promise.reject(new Error('ECONNRESET')),
  set: () => Promise.reject(new Error('ECONNRESET')),
  delete: () => Promise.reject(new Error('ECONNRESET')),
  clear: () => Promise.reject(new Error('ECONNRESET')),
};

const throwing: Store = {
  get: () => {
    throw new Error('sync boom');
  },
  set: () => {
    throw new Error('sync boom');
  },
  delete: () => {
    throw new Error('sync boom');
  },
};

const hanging: Store = {
  get: () => new Promise(() => {}),
  set: () => new Promise(() => {}),
  delete: () => new Promise(() => {}),
  clear: () => new Promise(() => {}),
};

describe('a failing store', () => {
  for (const [name, store] of [
    ['rejects', rejecting],
    ['throws', throwing],
  ] as const) {
    test(`serves the response uncached, tells onError and counts storeErrors when the store ${name}`, async () => {
      const errors: Error[] = [];
      const { engine } = engineWith({ store, onError: (e) => errors.push(e) });
      const h = counted(() => ok('still here'));
      const first = await run(engine, get('/a'), h);
      const second = await run(engine, get('/a'), h);
      assert.equal(h.calls, 2);
      assert.equal(first.reply.status, 200);
      assert.equal(second.reply.body?.toString(), 'still here');
      assert.ok(errors.length >= 4, `${errors.length} errors`);
      assert.ok(errors.every((e) => e instanceof Error && e.cause instanceof Error));
      assert.equal(engine.stats().storeErrors, errors.length);
      await assert.doesNotReject(engine.invalidatePath('/a'));
      await assert.doesNotReject(engine.invalidateTags(['x']));
      await assert.doesNotReject(engine.clear());
    });
  }

  test('carries on after storeTimeout when the store hangs, never stalling a request beyond it', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const errors: Error[] = [];
    const { engine } = engineWith({
      store: hanging,
      storeTimeout: '250ms',
      onError: (e) => errors.push(e),
    });
    let decided = false;
    const pending = Promise.resolve(engine.handle(get('/a'))).then((d) => {
      decided = true;
      return d;
    });
    await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.tick(249);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(decided, false);
    t.mock.timers.tick(1);
    const decision = await pending;
    assert.equal(decision.kind, 'fill');
    assert.ok(decision.kind === 'fill');
    const reply = await decision.fill.complete(ok('x'));
    assert.equal(reply.status, 200);
    assert.equal(reply.body?.toString(), 'x');
    t.mock.timers.tick(250);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(engine.stats().storeErrors >= 2);
    assert.equal(errors.length, engine.stats().storeErrors);
  });

  test('keeps serving when onError itself throws', async () => {
    const { engine } = engineWith({
      store: rejecting,
      onError: () => {
        throw new Error('bad logger');
      },
    });
    const { reply } = await run(engine, get('/a'), counted());
    assert.equal(reply.status, 200);
  });

  test('reads a foreign or corrupt stored value as a miss', async () => {
    const values = new Map<string, unknown>();
    const store: Store = {
      get: (key) => values.get(key) ?? 'garbage',
      set: (key, value) => void values.set(key, { ...(value as object), v: 99 }),
      delete: (key) => values.delete(key),
    };
    const { engine } = engineWith({ store });
    const h = counted();
    await run(engine, get('/a'), h);
    await run(engine, get('/a'), h);
    assert.equal(h.calls, 2);
  });
});
