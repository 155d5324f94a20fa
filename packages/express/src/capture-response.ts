import type { ServerResponse } from 'node:http';
import type { CapturedResponse, OutgoingHeaders, Reply } from '@larder/http';
import { replaceHeaders } from '@larder/http/node';

/** Where a captured response goes: the engine's fill, or a background refresh. */
export interface CaptureSink {
  /** Bytes buffered before the capture gives up and streams the rest. */
  readonly maxBodySize: number;
  /** The handler ended within the limit; resolves the reply to write, or `undefined` to write nothing. */
  finish(response: CapturedResponse): Promise<Reply | undefined>;
  /** The body passed `maxBodySize` (or the handler flushed headers): returns headers to add before streaming. */
  overflow(reason: 'too-large' | 'uncapturable'): OutgoingHeaders;
  /** The client went away before the handler ended. */
  abort(): void;
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
      (reply) => {
        if (reply !== undefined) sendReply(this, reply);
        if (callback) callback();
      },
      // The engine never rejects on store failures; if it fails anyway the handler's own response still goes out.
      () => {
        sendReply(this, {
          status: captured.status,
          headers: asOutgoing(captured.headers),
          body: captured.body,
        });
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

  res.once('close', () => {
    if (mode === 'buffer') {
      mode = 'off';
      chunks = [];
      sink.abort();
    }
  });

  function sendReply(target: ServerResponse, reply: Reply): void {
    mode = 'off';
    if (target.headersSent || target.destroyed) return;
    replaceHeaders(target, reply.headers);
    if (target.statusCode !== reply.status) {
      target.statusCode = reply.status;
      target.statusMessage = '';
    }
    // Node adds Content-Length for a single-chunk end when the reply carries none.
    end.call(target, reply.body);
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
