import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  decodeEntry,
  encodeEntry,
  FRAME_HEADER_BYTES,
  FRAME_VERSION,
  readKey,
} from '../src/codec.ts';

const EXPIRES = Date.UTC(2026, 0, 1, 12);

function roundTrip(value: unknown, key = 'k') {
  const decoded = decodeEntry(encodeEntry({ key, expires: EXPIRES, value }));
  assert.ok(decoded, 'decodes');
  assert.equal(decoded.key, key);
  assert.equal(decoded.expires, EXPIRES);
  return decoded.value;
}

describe('codec', () => {
  describe('round-trips', () => {
    test('a Buffer as a Buffer, byte for byte, with no base64 (frame = header + key + raw bytes)', () => {
      const body = randomBytes(64 * 1024);
      const frame = encodeEntry({ key: 'k', expires: EXPIRES, value: body });
      assert.equal(frame.byteLength, FRAME_HEADER_BYTES + 1 + body.byteLength);
      const back = decodeEntry(frame)?.value;
      assert.ok(Buffer.isBuffer(back));
      assert.ok(back.equals(body));
    });

    test('an empty Buffer and a plain Uint8Array keep their type', () => {
      const empty = roundTrip(Buffer.alloc(0));
      assert.ok(Buffer.isBuffer(empty) && empty.byteLength === 0);
      const u8 = roundTrip(new Uint8Array([1, 2, 255]));
      assert.ok(u8 instanceof Uint8Array && !Buffer.isBuffer(u8));
      assert.deepEqual([...(u8 as Uint8Array)], [1, 2, 255]);
    });

    test('strings with astral characters, NUL and lone surrogates exactly', () => {
      for (const text of ['', 'clef 𝄞 grin 😀', 'nul\u0000', 'lone \uD800 surrogate', '\uDFFF']) {
        assert.equal(roundTrip(text), text);
      }
    });

    test('null, numbers, booleans, Dates, Maps, BigInts and nested objects through node:v8', () => {
      for (const value of [null, 0, -1.5, Number.NaN, true, { a: [1, { b: null }] }, 10n]) {
        assert.deepEqual(roundTrip(value), value);
      }
      const date = roundTrip(new Date(EXPIRES));
      assert.ok(date instanceof Date && date.getTime() === EXPIRES);
      assert.deepEqual(roundTrip(new Map([['x', 1]])), new Map([['x', 1]]));
    });

    test('an expiry of Infinity and keys with unicode and 10 KB length', () => {
      const frame = encodeEntry({ key: '🔑'.repeat(5000), expires: Infinity, value: 'v' });
      assert.deepEqual(decodeEntry(frame), {
        key: '🔑'.repeat(5000),
        expires: Infinity,
        value: 'v',
      });
    });
  });

  describe('reads as a miss (undefined)', () => {
    const frame = encodeEntry({ key: 'key', expires: EXPIRES, value: Buffer.from('payload') });

    test('a frame truncated at any length', () => {
      for (let length = 0; length < frame.byteLength; length += 1) {
        assert.equal(decodeEntry(frame.subarray(0, length)), undefined, `length ${length}`);
      }
    });

    test('a frame with any single byte flipped', () => {
      for (let i = 0; i < frame.byteLength; i += 1) {
        const copy = Buffer.from(frame);
        copy[i] = (copy[i] ?? 0) ^ 0xff;
        assert.equal(decodeEntry(copy), undefined, `byte ${i}`);
      }
    });

    test('a frame with trailing bytes', () => {
      assert.equal(decodeEntry(Buffer.concat([frame, Buffer.from([0])])), undefined);
    });

    test('foreign bytes: JSON, empty input, random data', () => {
      assert.equal(decodeEntry(Buffer.from('{"value":"x","expires":1}')), undefined);
      assert.equal(decodeEntry(Buffer.alloc(0)), undefined);
      assert.equal(decodeEntry(randomBytes(512)), undefined);
    });

    test('a frame of another version', () => {
      const other = Buffer.from(frame);
      other.writeUInt8(FRAME_VERSION + 1, 4);
      assert.equal(decodeEntry(other), undefined);
    });
  });

  test('readKey reads the key from the start of a frame without the payload', () => {
    const frame = encodeEntry({ key: 'user:1', expires: EXPIRES, value: randomBytes(1000) });
    assert.equal(readKey(frame.subarray(0, FRAME_HEADER_BYTES + 6)), 'user:1');
    assert.equal(readKey(frame.subarray(0, FRAME_HEADER_BYTES + 5)), undefined);
    assert.equal(readKey(Buffer.from('not a frame at all, not at all')), undefined);
  });
});
