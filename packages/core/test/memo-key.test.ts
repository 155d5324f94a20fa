import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { memoKey } from '../src/memo-key.ts';

const key = (...args: unknown[]) => memoKey(args, 'f');

describe('memoKey', () => {
  const distinct: Array<[string, unknown[], unknown[]]> = [
    ['one string with a comma vs two strings', ['a,b'], ['a', 'b']],
    ['a string with a space vs two strings', ['a b', 'c'], ['a', 'b c']],
    ['a number vs its string', [1], ['1']],
    ['undefined vs null', [undefined], [null]],
    ['no argument vs undefined', [], [undefined]],
    ['0 vs -0', [0], [-0]],
    ['true vs "true"', [true], ['true']],
    ['a bigint vs a number', [1n], [1]],
    ['an array vs its items', [[1, 2]], [1, 2]],
    ['an object vs a different value', [{ a: 1 }], [{ a: 2 }]],
    ['a missing property vs an undefined one', [{}], [{ a: undefined }]],
    ['a Date vs its time', [new Date(5)], [5]],
    ['a Buffer vs a Uint8Array of the same bytes', [Buffer.from('x')], [new Uint8Array([120])]],
    ['a Set vs an array', [new Set([1])], [[1]]],
    ['a Map vs an object', [new Map([['a', 1]])], [{ a: 1 }]],
    ['a string that looks like an encoding', ['n1'], [1]],
  ];
  for (const [label, a, b] of distinct) {
    it(`tells apart ${label}`, () => assert.notEqual(key(...a), key(...b)));
  }

  it('maps objects with different key order to the same key', () => {
    assert.equal(key({ a: 1, b: { c: 2, d: 3 } }), key({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('maps Sets and Maps with different insertion order to the same key', () => {
    assert.equal(key(new Set([1, 2])), key(new Set([2, 1])));
    assert.equal(
      key(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
      key(
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    );
  });

  it('hashes a long key into a short one that never looks like an encoding', () => {
    const long = key('x'.repeat(1000));
    assert.match(long, /^#[\w-]{43}$/);
    assert.notEqual(long, key('x'.repeat(1001)));
  });

  for (const [label, value] of [
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a class instance', new (class Point {})()],
  ] as const) {
    it(`throws a TypeError naming memoize and the function for ${label}`, () => {
      assert.throws(() => key(value), {
        name: 'TypeError',
        message: /^memoize\(f\): cannot derive a cache key from .*"key" option/,
      });
    });
  }

  it('throws a TypeError for a circular argument', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.throws(() => key(loop), /memoize\(f\): an argument is circular/);
  });

  it('accepts the same object twice in one argument list (not a cycle)', () => {
    const shared = { a: 1 };
    assert.equal(key(shared, shared), key({ a: 1 }, { a: 1 }));
  });

  it('gives equal keys exactly to arguments equal by value (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.anything()), fc.array(fc.anything()), (a, b) => {
        assert.equal(key(...a), key(...structuredClone(a)));
        if (key(...a) === key(...b)) assert.deepStrictEqual(a, b);
      }),
      { numRuns: 500 },
    );
  });
});
