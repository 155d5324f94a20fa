import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sizeOf } from '../src/size-of.ts';

describe('sizeOf', () => {
  test('counts bytes exactly for Buffer, Uint8Array, other typed arrays and ArrayBuffer', () => {
    assert.equal(sizeOf(Buffer.alloc(1024)), 1024);
    assert.equal(sizeOf(new Uint8Array(10)), 10);
    assert.equal(sizeOf(new Float64Array(4)), 32);
    assert.equal(sizeOf(new ArrayBuffer(7)), 7);
    assert.equal(sizeOf(Buffer.alloc(0)), 0);
  });

  test('counts strings at 2 bytes per UTF-16 code unit', () => {
    assert.equal(sizeOf('abc'), 6);
    assert.equal(sizeOf('😀'), 4);
  });

  test('counts primitives at 8 bytes and bigints at 16', () => {
    for (const value of [1, true, null, undefined, Symbol('s')]) assert.equal(sizeOf(value), 8);
    assert.equal(sizeOf(10n), 16);
  });

  test('walks objects, arrays, maps and sets, including the bytes they hold', () => {
    // 16 header + (8 slot + 8 for the key "body" + 100 bytes)
    assert.equal(sizeOf({ body: Buffer.alloc(100) }), 16 + 8 + 8 + 100);
    assert.equal(sizeOf([1, 2]), 16 + 2 * (8 + 8));
    assert.ok(sizeOf(new Map([['k', Buffer.alloc(50)]])) > 50);
    assert.ok(sizeOf(new Set(['abc'])) >= 6);
  });

  test('terminates on circular references and stays bounded on huge objects', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    assert.ok(Number.isFinite(sizeOf(loop)));
    const big = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    const size = sizeOf(big);
    assert.ok(size >= 100_000 * 16, `estimate ${size} counts every slot past the walk budget`);
  });
});
