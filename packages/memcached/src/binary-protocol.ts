import type { Client } from 'memjs';

// The memcached binary protocol, as far as this store needs it beyond memjs's own methods: memjs
// 1.3 sends no item flags and no CAS, reads increment results through 32-bit arithmetic and has no
// delete-if-unchanged, so requests are framed here and sent through the client's `perform`, which
// keeps memjs's connection handling, server selection and SASL.
// Reference: https://github.com/memcached/memcached/wiki/BinaryProtocolRevamped

/** Request opcodes used by the store. */
export const OP = {
  get: 0x00,
  set: 0x01,
  add: 0x02,
  delete: 0x04,
  increment: 0x05,
  decrement: 0x06,
  append: 0x0e,
  touch: 0x1c,
} as const;

/** Response statuses the store tells apart. */
export const STATUS = {
  ok: 0x00,
  notFound: 0x01,
  exists: 0x02,
  tooLarge: 0x03,
  notStored: 0x05,
  nonNumeric: 0x06,
} as const;

/** One server answer: status, the item's CAS, flags (on a get) and value bytes. */
export interface Reply {
  readonly status: number;
  readonly cas: Buffer;
  readonly flags: number;
  readonly value: Buffer;
}

/** No CAS: the request applies whatever the item's current version. */
export const NO_CAS = Buffer.alloc(8);

/** Memcached's own limit on key length, in bytes. */
export const MAX_KEY_BYTES = 250;

// Memcached reads an expiry above 30 days as an absolute Unix time, not a relative one.
const RELATIVE_LIMIT_SECONDS = 30 * 24 * 3600;

/**
 * The expiry field for a TTL in seconds: 0 for none, else whole seconds rounded up plus one
 * (memcached's clock ticks once a second, so an item given N seconds may go up to one second
 * early), and an absolute Unix time past 30 days.
 */
export function exptime(ttl: number): number {
  if (ttl === Number.POSITIVE_INFINITY) return 0;
  const seconds = Math.max(1, Math.ceil(ttl)) + 1;
  if (seconds <= RELATIVE_LIMIT_SECONDS) return seconds;
  return Math.min(0xffffffff, Math.floor(Date.now() / 1000) + seconds);
}

/** Extras of set/add: flags then expiry. */
export function storageExtras(flags: number, expiry: number): Buffer {
  const extras = Buffer.allocUnsafe(8);
  extras.writeUInt32BE(flags, 0);
  extras.writeUInt32BE(expiry, 4);
  return extras;
}

/** Extras of increment/decrement that never create the item (expiry 0xffffffff). */
export function deltaExtras(amount: bigint): Buffer {
  const extras = Buffer.alloc(20);
  extras.writeBigUInt64BE(amount, 0);
  extras.writeUInt32BE(0xffffffff, 16);
  return extras;
}

/** Extras of touch: the new expiry. */
export function touchExtras(expiry: number): Buffer {
  const extras = Buffer.allocUnsafe(4);
  extras.writeUInt32BE(expiry, 0);
  return extras;
}

/** Frames one request: the 24-byte header, then extras, key and value. */
export function frame(
  opcode: number,
  key: string,
  extras: Buffer,
  value: Uint8Array,
  opaque: number,
  cas: Buffer,
): Buffer {
  const keyBytes = Buffer.byteLength(key, 'latin1');
  const body = extras.length + keyBytes + value.byteLength;
  const buf = Buffer.allocUnsafe(24 + body);
  buf.writeUInt8(0x80, 0);
  buf.writeUInt8(opcode, 1);
  buf.writeUInt16BE(keyBytes, 2);
  buf.writeUInt8(extras.length, 4);
  buf.writeUInt8(0, 5);
  buf.writeUInt16BE(0, 6);
  buf.writeUInt32BE(body, 8);
  buf.writeUInt32BE(opaque, 12);
  cas.copy(buf, 16, 0, 8);
  extras.copy(buf, 24);
  buf.write(key, 24 + extras.length, keyBytes, 'latin1');
  buf.set(value, 24 + extras.length + keyBytes);
  return buf;
}

/**
 * Sends one request for `key` through `client` and resolves the server's reply; rejects when the
 * client reports a connection failure or timeout.
 */
export function send(
  client: Client,
  opcode: number,
  key: string,
  extras: Buffer = EMPTY,
  value: Uint8Array = EMPTY,
  cas: Buffer = NO_CAS,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    client.incrSeq();
    const seq = client.seq;
    client.perform(key, frame(opcode, key, extras, value, seq, cas), seq, (error, response) => {
      if (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const {
        header,
        extras: replyExtras,
        val,
      } = response as {
        header: { status: number; cas: Buffer };
        extras: Buffer;
        val: Buffer;
      };
      resolve({
        status: header.status,
        cas: header.cas,
        flags: replyExtras.length >= 4 ? replyExtras.readUInt32BE(0) : 0,
        value: val,
      });
    });
  });
}

const EMPTY = Buffer.alloc(0);
