import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { clause, type StoreContractClause } from './clause.ts';

function assertSameBytes(actual: unknown, expected: Uint8Array, label: string): void {
  assert.ok(actual instanceof Uint8Array, `${label}: expected bytes back, got ${describe(actual)}`);
  assert.equal(actual.byteLength, expected.byteLength, `${label}: byte length`);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  assert.ok(a.equals(e), `${label}: bytes differ`);
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return value.constructor?.name ?? 'object';
}

/** Binary safety: bytes come back byte for byte, as bytes, with no base64 or JSON detour. */
export const binaryClauses: readonly StoreContractClause[] = [
  clause({
    name: 'a 1 MiB random Buffer round-trips byte for byte as a Buffer',
    async run(store) {
      const body = randomBytes(1024 * 1024);
      await store.set('contract:bin:large', body);
      const back = await store.get('contract:bin:large');
      assertSameBytes(back, body, '1 MiB Buffer');
      assert.ok(Buffer.isBuffer(back), 'a Buffer comes back as a Buffer');
    },
  }),
  clause({
    name: 'an empty Buffer round-trips as an empty Buffer, a hit',
    async run(store) {
      await store.set('contract:bin:empty', Buffer.alloc(0));
      const back = await store.get('contract:bin:empty');
      assertSameBytes(back, Buffer.alloc(0), 'empty Buffer');
      assert.ok(Buffer.isBuffer(back), 'a Buffer comes back as a Buffer');
    },
  }),
  clause({
    name: 'a Uint8Array round-trips byte for byte as a Uint8Array',
    async run(store) {
      const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255, 0]);
      await store.set('contract:bin:u8', bytes);
      assertSameBytes(await store.get('contract:bin:u8'), bytes, 'Uint8Array');
    },
  }),
  clause({
    name: 'a string with astral characters and NUL round-trips exactly',
    async run(store) {
      const text = 'clef 𝄞 grin 😀 nul \u0000 end';
      await store.set('contract:bin:text', text);
      assert.equal(await store.get('contract:bin:text'), text);
    },
  }),
];
