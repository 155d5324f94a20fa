import { Readable, Stream } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Context } from 'koa';

/** What the handler left in `ctx.body`, as bytes; or `overflow` when it was larger than allowed. */
export type CapturedBody =
  | { readonly kind: 'bytes'; readonly body: Buffer; readonly empty: boolean }
  | { readonly kind: 'overflow' };

const EMPTY = Buffer.alloc(0);

/**
 * Reads `ctx.body` into a Buffer the way Koa would send it: a string or Buffer as is, a stream
 * (Node, web, `Blob`, `Response`) buffered up to `maxBodySize`, anything else as JSON. A stream
 * that passes the limit is put back as a stream that replays the bytes already read, so the
 * client still gets all of it. `empty` marks a missing body (Koa writes its own status text).
 */
export async function captureBody(ctx: Context, maxBodySize: number): Promise<CapturedBody> {
  const body: unknown = ctx.body;
  if (body === null || body === undefined) return { kind: 'bytes', body: EMPTY, empty: true };
  if (Buffer.isBuffer(body)) return bytes(body, maxBodySize);
  if (typeof body === 'string') return bytes(Buffer.from(body), maxBodySize);
  if (body instanceof Stream) return readStream(ctx, body as Readable, maxBodySize);
  if (body instanceof Blob) {
    if (body.size > maxBodySize) return { kind: 'overflow' };
    return bytes(Buffer.from(await body.arrayBuffer()), maxBodySize);
  }
  if (body instanceof Response) {
    if (body.body === null) return { kind: 'bytes', body: EMPTY, empty: false };
    return readStream(ctx, Readable.fromWeb(body.body as WebReadableStream), maxBodySize);
  }
  if (body instanceof ReadableStream) {
    return readStream(ctx, Readable.fromWeb(body as WebReadableStream), maxBodySize);
  }
  return bytes(Buffer.from(JSON.stringify(body)), maxBodySize);
}

function bytes(body: Buffer, maxBodySize: number): CapturedBody {
  return body.length > maxBodySize ? { kind: 'overflow' } : { kind: 'bytes', body, empty: false };
}

async function readStream(
  ctx: Context,
  stream: Readable,
  maxBodySize: number,
): Promise<CapturedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = stream[Symbol.asyncIterator]();
  for (;;) {
    const step = await iterator.next();
    if (step.done) break;
    const chunk: Buffer = typeof step.value === 'string' ? Buffer.from(step.value) : step.value;
    chunks.push(chunk);
    size += chunk.length;
    if (size > maxBodySize) {
      // Koa drops Content-Length when the body changes; the bytes are the same, so keep it.
      const length = ctx.res.getHeader('content-length');
      ctx.body = Readable.from(replay(chunks, iterator), { objectMode: false });
      if (length !== undefined) ctx.res.setHeader('content-length', length);
      return { kind: 'overflow' };
    }
  }
  return {
    kind: 'bytes',
    body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
    empty: false,
  };
}

async function* replay(read: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* read;
  for (;;) {
    const step = await rest.next();
    if (step.done) return;
    yield step.value;
  }
}
