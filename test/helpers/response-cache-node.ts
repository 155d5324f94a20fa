import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { parse } from 'node:querystring';
import { Readable } from 'node:stream';
import type { ResponseCacheAdmin } from '@larder/http';
import type { NodeRequestHandler } from '@larder/http/node';
import * as larderNode from '@larder/http/node';
import compression from 'compression';
import { type Exchange, type Framework, listen, prepare } from './response-cache-harness.ts';
import { fixtures } from './view-engine.ts';

const TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Builds an `AppSpec` as a plain `node:http` app: a path table for a router, a route-level cache
 * as `withResponseCache` around the route's handler, the app-wide one around the router. Node
 * trusts no proxy, so `trustProxy` changes nothing.
 */
export const nodeHttp: Framework = {
  name: 'node',
  async build(spec) {
    const { views, options: withStore, finish } = prepare(spec);
    const table = new Map<string, NodeRequestHandler>();
    const routes = new Map<string, ResponseCacheAdmin>();
    for (const route of spec.routes) {
      const options = withStore(route.cache);
      const handler: NodeRequestHandler = async (req, res) => {
        try {
          await route.handler(nodeExchange(req, res, views.render));
        } catch (error) {
          // As the Express and Koa apps' error handling answers.
          if (res.headersSent) return void res.destroy();
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`failed: ${(error as Error).message}`);
        }
      };
      if (options) {
        const cache = larderNode.withResponseCache(handler, options);
        routes.set(route.path, cache);
        table.set(route.path, cache);
      } else table.set(route.path, handler);
    }
    const router: NodeRequestHandler = (req, res) => {
      const path = (req.url ?? '/').split(/[?#]/)[0] ?? '/';
      for (const [pattern, handler] of table) {
        if (matches(pattern, path)) return handler(req, res);
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not Found');
    };
    let inner = router;
    if (spec.compression === 'inner') inner = compressed(router);
    const appOptions = withStore(spec.cache);
    const appCache = appOptions && larderNode.withResponseCache(inner, appOptions);
    let app: NodeRequestHandler = appCache ?? inner;
    if (spec.compression === 'outer') app = compressed(app);
    const rewrite = spec.rewrite;
    if (rewrite !== undefined) {
      const rest = app;
      app = (req, res) => {
        const url = rewrite(req.url ?? '/', (name) => header(req, name));
        if (url !== undefined) req.url = url;
        return rest(req, res);
      };
    }
    return finish(await listen(app), appCache, routes);
  },
};

/** Whether `path` matches a route `pattern` whose `:name` segments match any one segment. */
function matches(pattern: string, path: string): boolean {
  if (!pattern.includes(':')) return pattern === path;
  const want = pattern.split('/');
  const have = path.split('/');
  return (
    want.length === have.length &&
    want.every((part, i) => (part.startsWith(':') ? have[i] !== '' : part === have[i]))
  );
}

/** `handler` behind the `compression` middleware (connect-style, as on Express). */
function compressed(handler: NodeRequestHandler): NodeRequestHandler {
  const compress = compression({ threshold: 0 });
  return (req, res) => {
    compress(req as never, res as never, () => void handler(req, res));
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

function sendText(res: ServerResponse, type: string, body: string | Buffer): void {
  if (!res.hasHeader('content-type')) res.setHeader('content-type', type);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

function nodeExchange(
  req: IncomingMessage,
  res: ServerResponse,
  render: (view: string, locals: Record<string, unknown>) => Promise<string>,
): Exchange {
  return {
    framework: 'node',
    method: req.method ?? 'GET',
    header: (name) => header(req, name),
    query: (name) => {
      const url = req.url ?? '';
      const q = url.indexOf('?');
      return q === -1 ? undefined : parse(url.slice(q + 1).split('#')[0] ?? '')[name];
    },
    host: () => req.headers.host ?? '',
    status: (code) => {
      res.statusCode = code;
    },
    set: (name, value) => void res.setHeader(name, value),
    send: (body) =>
      sendText(
        res,
        typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/octet-stream',
        body,
      ),
    writeHead(status, headers, body) {
      res.writeHead(status, headers);
      res.end(body);
    },
    json: (value) => sendText(res, 'application/json; charset=utf-8', JSON.stringify(value)),
    async chunks(parts) {
      for (const part of parts) {
        res.write(part);
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    },
    async pipe(parts) {
      Readable.from(parts).pipe(res);
    },
    file: (name) =>
      new Promise<void>((resolve, reject) => {
        res.setHeader('content-type', TYPES[extname(name)] ?? 'application/octet-stream');
        const stream = createReadStream(`${fixtures}${name}`);
        stream.on('error', reject);
        stream.on('end', () => resolve());
        stream.pipe(res);
      }),
    async render(view, locals) {
      sendText(res, 'text/html; charset=utf-8', await render(view, locals));
    },
    fail(message) {
      throw new Error(message);
    },
    tag: (...tags) => larderNode.cacheTags(res, ...tags),
    skip: () => larderNode.skipCache(res),
    ttl: (duration) => larderNode.cacheTtl(res, duration),
  };
}
