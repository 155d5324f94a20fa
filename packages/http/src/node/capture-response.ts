import type { ServerResponse } from 'node:http';
import type {
  CapturedResponse,
  HeaderRecord,
  OutgoingHeaders,
  PendingReply,
} from '../response-cache/types.ts';
import { replaceHeaders } from './headers.ts';
import { watchLateHeaders } from './written-headers.ts';

/** Where a captured response goes: the engine's fill, or a background refresh. */
export interface CaptureSink {
  /** Bytes buffered before the capture gives up and streams the rest. */
  readonly maxBodySize: number;
  /**
   * The handler ended within the limit; resolves the reply to write, whose store decision the
   * capture commits once the head is written (after every on-headers hook).
   */
  finish(response: CapturedResponse): Promise<PendingReply>;
  /** The body passed `maxBodySize` (or the handler flushed headers): returns headers to add before streaming. */
  overflow(reason: 'too-large' | 'uncapturable'): OutgoingHeaders;
  /** The reply was written (or skipped, the client being gone) and its store decision committed. */
  written?(): void;
}

/** A capture in place on a response. */
export interface Capture {
  /** Turns the capture into a pass-through (a nested `responseCache` took over). */
  release(): void;
}

type Mode = 'buffer' | 'stream' | 'done' | 'off';
type Callback = (error?: Error | null) => void;
type Chunk = string | Uint8Array;

const EMPTY = Buffer.alloc(0);

/**
 * Buffers what a handler writes to `res` — through `res.send`, `res.json`, `res.render`,
 * `res.sendFile`, a piped stream or `res.write`/`res.end` — by replacing `writeHead`, `write` and
 * `end` on the instance (as the `compression` middleware does), then hands the status, headers and
 * bytes to `sink` and writes the reply it returns. Middleware mounted before this one keeps working:
 * the reply goes out through the functions that were in place when the capture started.
 */
export function captureResponse(res: ServerResponse, sink: CaptureSink): Capture {
  // The functions in place before the capture (Node's own, or an outer middleware's wrappers).
  const writeHead = res.writeHead as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  const write = res.write as (this: ServerResponse, ...args: unknown[]) => boolean;
  const end = res.end as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  const flushHeaders = res.flushHeaders;
  let mode: Mode = 'buffer';
  let chunks: Buffer[] = [];
  let size = 0;

  function append(chunk: Chunk | undefined, encoding: BufferEncoding | undefined): void {
    if (chunk === undefined || chunk === null) return;
    const buffer =
      typeof chunk === 'string'
        ? Buffer.from(chunk, encoding ?? 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (buffer.length === 0) return;
    chunks.push(buffer);
    size += buffer.length;
  }

  // Sends the headers and what was buffered, then lets every later write through.
  function startStreaming(reason: 'too-large' | 'uncapturable'): boolean {
    mode = 'stream';
    const extra = sink.overflow(reason);
    for (const name in extra) res.setHeader(name, extra[name] as string | string[]);
    let ok = true;
    for (const chunk of chunks) ok = write.call(res, chunk);
    chunks = [];
    return ok;
  }

  res.writeHead = function capturedWriteHead(this: ServerResponse, ...args: unknown[]) {
    if (mode !== 'buffer') return writeHead.apply(this, args);
    const [status, reason] = args as [number, unknown];
    let headers = args[2];
    this.statusCode = status;
    if (typeof reason === 'string') this.statusMessage = reason;
    else headers = reason;
    if (headers !== undefined && headers !== null) applyHeaders(this, headers);
    return this;
  } as ServerResponse['writeHead'];

  res.write = function capturedWrite(this: ServerResponse, ...args: unknown[]): boolean {
    if (mode === 'stream' || mode === 'off') return write.apply(this, args);
    if (mode === 'done') return false;
    let [chunk, encoding, callback] = args as [
      Chunk,
      BufferEncoding | Callback | undefined,
      Callback | undefined,
    ];
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    append(chunk, encoding as BufferEncoding | undefined);
    if (callback) process.nextTick(callback);
    if (size > sink.maxBodySize) return startStreaming('too-large');
    return true;
  } as ServerResponse['write'];

  res.end = function capturedEnd(this: ServerResponse, ...args: unknown[]) {
    if (mode === 'stream' || mode === 'off') return end.apply(this, args);
    if (mode === 'done') return this;
    let [chunk, encoding, callback] = args as [
      Chunk | Callback | undefined,
      BufferEncoding | Callback | undefined,
      Callback | undefined,
    ];
    if (typeof chunk === 'function') {
      callback = chunk;
      chunk = undefined;
    } else if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    append(chunk as Chunk | undefined, encoding as BufferEncoding | undefined);
    if (size > sink.maxBodySize) {
      startStreaming('too-large');
      return end.call(this, callback);
    }
    mode = 'done';
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
    chunks = [];
    const captured: CapturedResponse = {
      status: this.statusCode,
      headers: this.getHeaders(),
      body: size === 0 ? EMPTY : body,
    };
    sink.finish(captured).then(
      (pending) => {
        sendReply(this, pending);
        if (callback) callback();
      },
      // The engine never rejects on store failures; if it fails anyway the handler's own response still goes out.
      () => {
        const reply = {
          status: captured.status,
          headers: asOutgoing(captured.headers),
          body: captured.body,
        };
        sendReply(this, { reply, review: () => undefined, commit() {} });
        if (callback) callback();
      },
    );
    return this;
  } as ServerResponse['end'];

  res.flushHeaders = function capturedFlushHeaders(this: ServerResponse) {
    // A handler that flushes early (server-sent events, long polling) wants its bytes out now.
    if (mode === 'buffer') startStreaming('uncapturable');
    flushHeaders.call(this);
  };

  // A client that hangs up does not stop the capture: the handler's response still fills the
  // cache (and the requests coalesced on it); only the write to the dead socket is skipped.

  /**
   * Writes the reply through the functions in place before the capture, so hooks that run when
   * the head goes out (express-session's cookie, compression's coding) see it; then commits the
   * store decision on the head as written.
   */
  function sendReply(target: ServerResponse, pending: PendingReply): void {
    mode = 'off';
    const commit = (): void => {
      pending.commit(target.statusCode, target.getHeaders() as HeaderRecord);
      sink.written?.();
    };
    if (target.headersSent) {
      // Someone wrote the head behind the capture's back: what went out is unknown, so not stored.
      pending.commit(-1, {});
      sink.written?.();
      return;
    }
    const reply = pending.reply;
    replaceHeaders(target, reply.headers);
    if (target.statusCode !== reply.status) {
      target.statusCode = reply.status;
      target.statusMessage = '';
    }
    const unwatch = watchLateHeaders(target, pending);
    const gone = target.destroyed;
    try {
      // The client gone, the head's hooks still run (nothing reaches the socket), to decide on
      // what they add. Node adds Content-Length for a single-chunk end when the reply carries none.
      if (gone) writeHead.call(target, reply.status);
      else end.call(target, reply.body);
    } catch {
      // A hook failing on a dead socket: what it would have added is unknown, so nothing is stored.
      if (gone) target.statusCode = -1;
    } finally {
      unwatch();
    }
    if (gone || target.headersSent) commit();
    else {
      // An outer wrapper holds the head back (a session store saving first): decide when it goes.
      let once = false;
      const later = (): void => {
        if (once) return;
        once = true;
        commit();
      };
      target.once('finish', later);
      target.once('close', later);
    }
  }

  return {
    release() {
      if (mode === 'buffer') mode = 'off';
    },
  };
}

function asOutgoing(headers: CapturedResponse['headers']): OutgoingHeaders {
  const out: OutgoingHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined)
      out[name] = typeof value === 'number' ? String(value) : (value as string | string[]);
  }
  return out;
}

function applyHeaders(res: ServerResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const [name, value] of headers as [string, string][]) res.appendHeader(name, value);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) {
        res.appendHeader(String(headers[i]), headers[i + 1] as string);
      }
    }
    return;
  }
  const record = headers as Record<string, string | number | readonly string[] | undefined>;
  for (const name in record) {
    const value = record[name];
    if (value !== undefined) res.setHeader(name, value);
  }
}
