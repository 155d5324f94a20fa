/**
 * One request listener per contender. Every app serves the same route (`GET /slow`, or any path),
 * which does `payload.work()` and answers the 2 KiB JSON body; paths under `/cold/` first wait
 * `COLD_WAIT_MS` (a stand-in for a database query) so concurrent misses overlap in time.
 */
import { setTimeout as delay } from 'node:timers/promises';
import apicache from 'apicache';
import apicachePlus from 'apicache-plus';
import express from 'express';
import Koa from 'koa';
import koaCash from 'koa-cash';
import { LRUCache } from 'lru-cache';
import routeCache from 'route-cache';
import { BODY, payload, work } from './payload.mjs';

/** How long a `/cold/…` request waits before its CPU work, in milliseconds. */
export const COLD_WAIT_MS = 50;

/** The contenders: framework, the limit they are compared with, and the peer they must beat. */
export const CONTENDERS = {
  'larder-express': { framework: 'express', kind: 'larder', peer: 'apicache' },
  apicache: { framework: 'express', kind: 'peer' },
  'apicache-plus': { framework: 'express', kind: 'peer' },
  'route-cache': { framework: 'express', kind: 'peer' },
  'express-limit': { framework: 'express', kind: 'limit' },
  'express-uncached': { framework: 'express', kind: 'baseline' },
  'express-replay': { framework: 'express', kind: 'diagnostic' },
  'larder-koa': { framework: 'koa', kind: 'larder', peer: 'koa-cash' },
  'koa-cash': { framework: 'koa', kind: 'peer' },
  'koa-limit': { framework: 'koa', kind: 'limit' },
  'koa-uncached': { framework: 'koa', kind: 'baseline' },
  'koa-replay': { framework: 'koa', kind: 'diagnostic' },
  'larder-express-front': { framework: 'express', kind: 'front', peer: 'apicache' },
  'larder-koa-front': { framework: 'koa', kind: 'front', peer: 'apicache' },
  'node-limit': { framework: 'node', kind: 'limit' },
};

/**
 * The ordinary middleware every Koa contender runs ahead of everything else, as an access logger
 * would be: it awaits the rest of the app and records the time taken.
 */
export const logged = { requests: 0, nanoseconds: 0n };
async function logger(_ctx, next) {
  const start = process.hrtime.bigint();
  await next();
  logged.requests++;
  logged.nanoseconds += process.hrtime.bigint() - start;
}

/**
 * Builds a contender's request listener.
 * @param {string} name a key of CONTENDERS
 * @param {{ rounds?: number, distinct?: boolean, store?: unknown }} options `rounds` of CPU work per
 *   handler call; `distinct` answers `payload(id)` with the id taken from the path (memory runs);
 *   `store` is handed to Larder's `responseCache` when given.
 * @returns {Promise<{ listener?: import('node:http').RequestListener, calls: Map<string, number>, skip?: string }>}
 */
export async function createContender(name, options = {}) {
  const { rounds, distinct = false } = options;
  const calls = new Map();
  // Memory runs make 100k distinct paths; counting them per path would weigh on the heap measured.
  const count = distinct
    ? () => calls.set('*', (calls.get('*') ?? 0) + 1)
    : (path) => calls.set(path, (calls.get(path) ?? 0) + 1);
  const bodyFor = (path) =>
    distinct ? payload(Number(path.slice(path.lastIndexOf('/') + 1))) : payload();

  async function expressHandler(req, res) {
    count(req.path);
    if (req.path.startsWith('/cold/')) await delay(COLD_WAIT_MS);
    work(rounds);
    res.json(bodyFor(req.path));
  }
  async function koaHandler(ctx) {
    count(ctx.path);
    if (ctx.path.startsWith('/cold/')) await delay(COLD_WAIT_MS);
    work(rounds);
    ctx.body = bodyFor(ctx.path);
  }

  const { framework } = CONTENDERS[name] ?? {};
  const app = framework === 'koa' ? new Koa() : express();
  if (framework === 'koa') app.use(logger);
  const route = '/*splat';

  switch (name) {
    case 'larder-express':
    case 'larder-koa': {
      const mod = await importLarder(framework);
      if (typeof mod?.responseCache !== 'function') {
        return { calls, skip: `responseCache is not exported from @larder/${framework} yet` };
      }
      const cacheOptions = options.store ? { store: options.store } : {};
      app.use(mod.responseCache(cacheOptions));
      if (framework === 'koa') app.use(koaHandler);
      else app.get(route, expressHandler);
      break;
    }
    case 'larder-express-front':
    case 'larder-koa-front': {
      // The same app as Larder's in-framework contender, served through cacheFront(app).
      const mod = await importLarder(framework);
      if (typeof mod?.cacheFront !== 'function') {
        return { calls, skip: `cacheFront is not exported from @larder/${framework} yet` };
      }
      const cacheOptions = options.store ? { store: options.store } : {};
      app.use(mod.responseCache(cacheOptions));
      if (framework === 'koa') app.use(koaHandler);
      else app.get(route, expressHandler);
      return { listener: mod.cacheFront(app), calls };
    }
    case 'node-limit':
      // Raw node:http: the handler writes the body straight away. Nothing can answer faster.
      return {
        listener: function limit(_req, res) {
          res.setHeader('content-type', 'application/json; charset=utf-8');
          res.end(BODY);
        },
        calls,
      };
    case 'apicache':
      app.use(apicache.middleware('1 hour'));
      app.get(route, expressHandler);
      break;
    case 'apicache-plus':
      app.use(apicachePlus.middleware('1 hour'));
      app.get(route, expressHandler);
      break;
    case 'route-cache':
      app.get(route, routeCache.cacheSeconds(3600), expressHandler);
      break;
    case 'express-limit':
      app.use(function limit(_req, res) {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(BODY);
      });
      break;
    case 'express-replay':
      // What any cache pays to replay the headers of a stored response (Larder's hit header set).
      app.use(function replay(_req, res) {
        res.writeHead(200, replayHeaders());
        res.end(BODY);
      });
      break;
    case 'express-uncached':
      app.get(route, expressHandler);
      break;
    case 'koa-cash': {
      const lru = new LRUCache({ max: 1_000_000 });
      app.use(koaCash({ get: (key) => lru.get(key), set: (key, value) => lru.set(key, value) }));
      app.use(async function cashed(ctx) {
        if (await ctx.cashed()) return;
        await koaHandler(ctx);
      });
      break;
    }
    case 'koa-limit':
      app.use(function limit(ctx) {
        ctx.type = 'json';
        ctx.body = BODY;
      });
      break;
    case 'koa-replay':
      app.use(function replay(ctx) {
        const headers = replayHeaders();
        for (const name in headers) ctx.res.setHeader(name, headers[name]);
        ctx.body = BODY;
      });
      break;
    case 'koa-uncached':
      app.use(koaHandler);
      break;
    default:
      throw new TypeError(`createContender: unknown contender ${JSON.stringify(name)}`);
  }
  return { listener: framework === 'koa' ? app.callback() : app, calls };
}

const STORED_AT = Date.now();
const STORED_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(BODY.length),
  etag: 'W/"800-GnEPCADitFah7ONk3jUq9MaRvm4"',
  date: new Date(STORED_AT).toUTCString(),
  'last-modified': new Date(STORED_AT).toUTCString(),
};

/** The headers of a replayed entry: the stored ones plus a fresh `Age` and the cache status. */
function replayHeaders() {
  const headers = { ...STORED_HEADERS };
  headers.age = String(Math.floor((Date.now() - STORED_AT) / 1000));
  headers['x-cache'] = 'HIT';
  return headers;
}

/** Imports a Larder adapter, or returns `undefined` when it does not load yet. */
async function importLarder(framework) {
  try {
    return framework === 'koa' ? await import('@larder/koa') : await import('@larder/express');
  } catch (error) {
    process.emitWarning(`@larder/${framework} failed to load: ${error.message}`);
    return undefined;
  }
}

/** Imports `createMemoryStore` from @larder/core, or returns `undefined` when it is missing. */
export async function importMemoryStore() {
  try {
    const core = await import('@larder/core');
    return typeof core.createMemoryStore === 'function' ? core.createMemoryStore : undefined;
  } catch {
    return undefined;
  }
}
