import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';

/**
 * One stored entry as the serializing stores (file now, Redis and memcached later) see it: the
 * key it was written under, the absolute expiry in epoch ms (`Infinity` for none) and the value.
 */
export interface CodecEntry {
  readonly key: string;
  readonly expires: number;
  readonly value: unknown;
}

/** The four magic bytes that open every frame: `LRDR`. */
export const FRAME_MAGIC = 0x4c524452;
/** The frame layout version this build writes; a frame of any other version decodes as a miss. */
export const FRAME_VERSION = 1;
/** Bytes before the key: magic 4, version 1, kind 1, reserved 2, expiry 8, key length 4, payload length 4, crc32 4. */
export const FRAME_HEADER_BYTES = 28;

// How the payload is laid out. Bytes and strings are written raw so a body costs no base64 and no
// JSON array; everything else goes through node:v8, which keeps Dates, Maps, Sets, BigInts,
// typed arrays and `null` exactly (see the README for why not JSON).
const KIND_BUFFER = 0;
const KIND_UINT8 = 1;
const KIND_STRING = 2;
const KIND_V8 = 3;

/**
 * Encodes an entry as one binary frame: a fixed header (magic, version, kind, expiry, lengths and
 * a CRC-32 of everything else), the key as UTF-8, then the payload.
 *
 * @example encodeEntry({ key: 'page:/', expires: Date.now() + 60_000, value: body })
 */
export function encodeEntry(entry: CodecEntry): Buffer {
  const { kind, payload } = encodeValue(entry.value);
  const keyBytes = Buffer.byteLength(entry.key, 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + keyBytes + payload.byteLength);
  frame.writeUInt32BE(FRAME_MAGIC, 0);
  frame.writeUInt8(FRAME_VERSION, 4);
  frame.writeUInt8(kind, 5);
  frame.writeUInt16BE(0, 6);
  frame.writeDoubleBE(entry.expires, 8);
  frame.writeUInt32BE(keyBytes, 16);
  frame.writeUInt32BE(payload.byteLength, 20);
  frame.write(entry.key, FRAME_HEADER_BYTES, keyBytes, 'utf8');
  frame.set(payload, FRAME_HEADER_BYTES + keyBytes);
  frame.writeUInt32BE(checksum(frame), 24);
  return frame;
}

/**
 * Decodes a frame written by {@link encodeEntry}; anything else (foreign bytes, a truncated or
 * corrupted frame, another frame version) yields `undefined`, which a store treats as a miss.
 * Binary payloads are views into `frame`, not copies.
 */
export function decodeEntry(frame: Uint8Array): CodecEntry | undefined {
  const buf = asBuffer(frame);
  const header = readHeader(buf);
  if (header === undefined) return undefined;
  const end = FRAME_HEADER_BYTES + header.keyBytes + header.payloadBytes;
  if (buf.byteLength !== end || buf.readUInt32BE(24) !== checksum(buf)) return undefined;
  const payload = buf.subarray(FRAME_HEADER_BYTES + header.keyBytes, end);
  const value = decodeValue(header.kind, payload);
  if (value === INVALID) return undefined;
  const key = buf.toString('utf8', FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + header.keyBytes);
  return { key, expires: header.expires, value };
}

/** The parts of a frame header a store needs without decoding the payload (e.g. to match keys). */
export interface FrameHeader {
  readonly kind: number;
  readonly expires: number;
  readonly keyBytes: number;
  readonly payloadBytes: number;
}

/**
 * Reads and checks the fixed header of a frame (at least {@link FRAME_HEADER_BYTES} bytes);
 * `undefined` when the magic, version or kind is not ours.
 */
export function readHeader(frame: Uint8Array): FrameHeader | undefined {
  const buf = asBuffer(frame);
  if (buf.byteLength < FRAME_HEADER_BYTES) return undefined;
  if (buf.readUInt32BE(0) !== FRAME_MAGIC || buf.readUInt8(4) !== FRAME_VERSION) return undefined;
  const kind = buf.readUInt8(5);
  if (kind > KIND_V8) return undefined;
  const expires = buf.readDoubleBE(8);
  if (Number.isNaN(expires)) return undefined;
  return { kind, expires, keyBytes: buf.readUInt32BE(16), payloadBytes: buf.readUInt32BE(20) };
}

/**
 * Reads the key from the first bytes of a frame, or `undefined` if the bytes given do not hold a
 * whole key of a frame of ours. Lets `clear(prefix)` match keys without reading payloads.
 */
export function readKey(frameStart: Uint8Array): string | undefined {
  const buf = asBuffer(frameStart);
  const header = readHeader(buf);
  if (header === undefined || buf.byteLength < FRAME_HEADER_BYTES + header.keyBytes) {
    return undefined;
  }
  return buf.toString('utf8', FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + header.keyBytes);
}

function encodeValue(value: unknown): { kind: number; payload: Uint8Array } {
  if (Buffer.isBuffer(value)) return { kind: KIND_BUFFER, payload: value };
  if (value instanceof Uint8Array) return { kind: KIND_UINT8, payload: value };
  // A lone surrogate has no UTF-8 form; such a string goes through node:v8, which keeps it.
  if (typeof value === 'string' && (value as unknown as WellFormed).isWellFormed()) {
    return { kind: KIND_STRING, payload: Buffer.from(value, 'utf8') };
  }
  return { kind: KIND_V8, payload: serialize(value) };
}

// String.prototype.isWellFormed ships in Node 20 (ES2024); the ES2023 lib does not declare it.
type WellFormed = { isWellFormed(): boolean };

const INVALID = Symbol('invalid');

function decodeValue(kind: number, payload: Buffer): unknown {
  switch (kind) {
    case KIND_BUFFER:
      return payload;
    case KIND_UINT8:
      return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    case KIND_STRING:
      return payload.toString('utf8');
    default:
      try {
        return deserialize(payload);
      } catch {
        return INVALID;
      }
  }
}

// CRC-32 over the whole frame except the checksum field itself (bytes 24..27).
function checksum(frame: Buffer): number {
  return crc32(frame.subarray(FRAME_HEADER_BYTES), crc32(frame.subarray(0, 24)));
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
