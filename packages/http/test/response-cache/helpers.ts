import { createMemoryStore, type Store } from '@larder/core';
import {
  type CacheRequest,
  type CapturedResponse,
  createResponseCache,
  type Decision,
  type HeaderRecord,
  type Reply,
  type ResponseCacheEngine,
  type ResponseCacheOptions,
} from '@larder/http';

/** A movable clock starting at a round time. */
export function clock(start = Date.UTC(2026, 0, 1)): {
  now: () => number;
  advance: (seconds: number) => void;
} {
  let t = start;
  return {
    now: () => t,
    advance: (seconds) => {
      t += seconds * 1000;
    },
  };
}

/** An engine on its own memory store and an injectable clock. */
export function engineWith(options: ResponseCacheOptions = {}) {
  const time = clock();
  const store = options.store ?? createMemoryStore();
  const engine = createResponseCache({ now: time.now, store, ...options });
  return { engine, time, store };
}

export function get(
  path = '/',
  headers: HeaderRecord = {},
  extra: Partial<CacheRequest> = {},
): CacheRequest {
  const mark = path.indexOf('?');
  return {
    method: 'GET',
    path: mark === -1 ? path : path.slice(0, mark),
    query: mark === -1 ? '' : path.slice(mark + 1),
    headers,
    // The host is keyed by default; a request without one bypasses the cache.
    host: 'example.test',
    ...extra,
  };
}

export function ok(body = 'hello', headers: HeaderRecord = {}, status = 200): CapturedResponse {
  return { status, headers: { 'content-type': 'text/plain', ...headers }, body: Buffer.from(body) };
}

/** The outcome of one request through a minimal adapter. */
export interface Outcome {
  readonly decision: Decision['kind'];
  readonly reply: Reply;
}

/** A handler as the tests write it: counts calls, may throw. */
export type Handler = (
  request: CacheRequest,
  fill?: import('@larder/http').Fill,
) => CapturedResponse | Promise<CapturedResponse>;

/** Drives one request like an adapter would: pass → handler untouched, serve → reply, fill → handler + complete. */
export async function run(
  engine: ResponseCacheEngine,
  request: CacheRequest,
  handler: Handler,
): Promise<Outcome> {
  const decision = await engine.handle(request);
  if (decision.kind === 'serve') {
    if (decision.refresh) {
      const refresh = decision.refresh;
      Promise.resolve()
        .then(() => handler(request, refresh))
        .then(
          (r) => refresh.complete(r),
          (e) => refresh.fail(e),
        );
    }
    return { decision: 'serve', reply: decision.reply };
  }
  if (decision.kind === 'pass') {
    const r = await handler(request);
    return {
      decision: 'pass',
      reply: {
        status: r.status,
        headers: { ...stringify(r.headers), ...decision.headers },
        body: r.body,
      },
    };
  }
  const fill = decision.fill;
  let response: CapturedResponse;
  try {
    response = await handler(request, fill);
  } catch (error) {
    const stale = await fill.fail(error);
    if (stale === undefined) throw error;
    return { decision: 'fill', reply: stale };
  }
  return { decision: 'fill', reply: await fill.complete(response) };
}

function stringify(headers: HeaderRecord): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k] = typeof v === 'number' ? String(v) : (v as string | string[]);
  return out;
}

/** A handler that counts its calls and answers `response` (a function of the call number). */
export function counted(
  response: (n: number, request: CacheRequest) => CapturedResponse = (n) => ok(`body ${n}`),
) {
  const h = Object.assign(
    (request: CacheRequest) => {
      h.calls += 1;
      return response(h.calls, request);
    },
    { calls: 0 },
  );
  return h;
}

export type { Store };
