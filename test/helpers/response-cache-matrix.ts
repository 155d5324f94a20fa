/**
 * One scenario list, two frameworks: an app described once (routes with a framework-neutral
 * handler) is built as a real Express 5 app and a real Koa 3 app, each listening on 127.0.0.1.
 */
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe } from 'node:test';
import Router from '@koa/router';
import { createMemoryStore, type Duration, type Store } from '@larder/core';
import * as larderExpress from '@larder/express';
import type { ResponseCacheAdmin, ResponseCacheOptions } from '@larder/http';
import * as larderKoa from '@larder/koa';
import compression from 'compression';
import express from 'express';
import Koa from 'koa';
import koaCompress from 'koa-compress';
import request from 'supertest';
import { countingViewEngine, fixtures } from './view-engine.ts';

/** What a neutral handler can do; each framework maps it to its idiom. */
export interface Exchange {
  readonly framework: 'express' | 'koa';
  readonly method: string;
  header(name: string): string | undefined;
  /** The framework's trusted host (Express `req.host`, Koa `ctx.host`). */
  host(): string;
  status(code: number): void;
  set(name: string, value: string | string[]): void;
  /** Express `res.send(text | Buffer)`; Koa `ctx.body = text | Buffer`. */
  send(body: string | Buffer): void;
  /** Express `res.writeHead(status, headers)` then `res.end(body)`; Koa status, headers and body. */
  writeHead(status: number, headers: Record<string, string>, body: string | Buffer): void;
  /** Express `res.json`; Koa `ctx.body = object`. */
  json(value: unknown): void;
  /** Express `res.write` per part then `res.end()`; Koa a PassThrough stream body. */
  chunks(parts: readonly (string | Buffer)[]): Promise<void>;
  /** Express `stream.pipe(res)`; Koa `ctx.body = stream`. */
  pipe(parts: readonly (string | Buffer)[]): Promise<void>;
  /** Express `res.sendFile`; Koa `ctx.body = createReadStream` (a file under the fixtures folder). */
  file(name: string): Promise<void>;
  /** Express `res.render` through the counting view engine; Koa the same engine into `ctx.body`. */
  render(view: string, locals: Record<string, unknown>): Promise<void>;
  /** Throws: Express passes it to `next(err)` (the app's error handler answers 500); Koa lets it propagate. */
  fail(message: string): never;
  tag(...tags: string[]): void;
  skip(): void;
  ttl(duration: Duration): void;
}

export type Handler = (x: Exchange) => unknown;

export interface RouteSpec {
  readonly path: string;
  /** A route-level `responseCache` with these options. */
  readonly cache?: ResponseCacheOptions;
  readonly handler: Handler;
}

export interface AppSpec {
  /** An app-wide `responseCache` with these options. */
  readonly cache?: ResponseCacheOptions;
  readonly routes: readonly RouteSpec[];
  /** Express `trust proxy` / Koa `app.proxy`. @default false */
  readonly trustProxy?: boolean;
  /** Where compression middleware sits relative to the app-wide `responseCache`. */
  readonly compression?: 'outer' | 'inner';
  /** Store given to every instance; `'default'` leaves it out (the shared default store). @default one fresh memory store per app */
  readonly store?: Store | 'default';
}

export interface TestApp {
  readonly server: Server;
  readonly url: string;
  /** A supertest agent on the listening server. */
  http(): ReturnType<typeof request>;
  readonly appCache: ResponseCacheAdmin | undefined;
  routeCache(path: string): ResponseCacheAdmin;
  readonly store: Store | undefined;
  readonly renders: () => number;
  /** Requests the server has received so far. */
  readonly requests: () => number;
}

export interface Framework {
  readonly name: 'express' | 'koa';
  build(spec: AppSpec): Promise<TestApp>;
}

/** Runs `body` once per framework, in a `describe` block suffixed with the framework's name. */
export function describeMatrix(title: string, body: (fw: Framework) => void): void {
  for (const fw of frameworks) describe(`${title} [${fw.name}]`, () => body(fw));
}

const servers: Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return server;
}

function withStore(options: ResponseCacheOptions | undefined, store: Store | undefined) {
  if (options === undefined) return undefined;
  return store === undefined || options.store !== undefined ? options : { ...options, store };
}

async function finish(
  server: Server,
  appCache: ResponseCacheAdmin | undefined,
  routes: Map<string, ResponseCacheAdmin>,
  store: Store | undefined,
  renders: () => number,
): Promise<TestApp> {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let requests = 0;
  server.on('request', () => {
    requests++;
  });
  return {
    requests: () => requests,
    server,
    url,
    http: () => request(server),
    appCache,
    routeCache(path) {
      const cache = routes.get(path);
      if (cache === undefined) throw new Error(`no route-level responseCache on ${path}`);
      return cache;
    },
    store,
    renders,
  };
}

const express5: Framework = {
  name: 'express',
  async build(spec) {
    const store = spec.store === 'default' ? undefined : (spec.store ?? createMemoryStore());
    const views = countingViewEngine();
    const app = express();
    app.engine('tpl', views.engine);
    app.set('view engine', 'tpl');
    app.set('views', fixtures);
    if (spec.trustProxy) app.set('trust proxy', true);
    if (spec.compression === 'outer') app.use(compression({ threshold: 0 }));
    const appOptions = withStore(spec.cache, store);
    const appCache = appOptions && larderExpress.responseCache(appOptions);
    if (appCache) app.use(appCache);
    if (spec.compression === 'inner') app.use(compression({ threshold: 0 }));
    const routes = new Map<string, ResponseCacheAdmin>();
    for (const route of spec.routes) {
      const options = withStore(route.cache, store);
      const handler = async (
        req: express.Request,
        res: express.Response,
        next: express.NextFunction,
      ): Promise<void> => {
        try {
          await route.handler(expressExchange(req, res));
        } catch (error) {
          next(error);
        }
      };
      if (options) {
        const cache = larderExpress.responseCache(options);
        routes.set(route.path, cache);
        app.all(route.path, cache, handler);
      } else app.all(route.path, handler);
    }
    app.use(
      (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).type('text').send(`failed: ${error.message}`);
      },
    );
    return finish(await listen(app), appCache, routes, store, views.renders);
  },
};

function expressExchange(req: express.Request, res: express.Response): Exchange {
  return {
    framework: 'express',
    method: req.method,
    header: (name) => req.get(name),
    host: () => req.host,
    status: (code) => void res.status(code),
    set: (name, value) => void res.set(name, value),
    send: (body) => void res.send(body),
    writeHead(status, headers, body) {
      res.writeHead(status, headers);
      res.end(body);
    },
    json: (value) => void res.json(value),
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
      new Promise<void>((resolve, reject) =>
        res.sendFile(name, { root: fixtures }, (error) => (error ? reject(error) : resolve())),
      ),
    render: (view, locals) =>
      new Promise<void>((resolve, reject) =>
        res.render(view, locals, (error: Error | null, html?: string) => {
          if (error) reject(error);
          else {
            res.send(html);
            resolve();
          }
        }),
      ),
    fail(message) {
      throw new Error(message); // the route wrapper passes it to next(err)
    },
    tag: (...tags) => larderExpress.cacheTags(res, ...tags),
    skip: () => larderExpress.skipCache(res),
    ttl: (duration) => larderExpress.cacheTtl(res, duration),
  };
}

const koa3: Framework = {
  name: 'koa',
  async build(spec) {
    const store = spec.store === 'default' ? undefined : (spec.store ?? createMemoryStore());
    const views = countingViewEngine();
    const app = new Koa();
    app.silent = true;
    app.proxy = spec.trustProxy === true;
    if (spec.compression === 'outer') app.use(koaCompress({ threshold: 0 }));
    const appOptions = withStore(spec.cache, store);
    const appCache = appOptions && larderKoa.responseCache(appOptions);
    if (appCache) app.use(appCache);
    if (spec.compression === 'inner') app.use(koaCompress({ threshold: 0 }));
    const router = new Router();
    const routes = new Map<string, ResponseCacheAdmin>();
    for (const route of spec.routes) {
      const options = withStore(route.cache, store);
      const handler = async (ctx: Koa.Context): Promise<void> => {
        await route.handler(koaExchange(ctx, views.render));
      };
      if (options) {
        const cache = larderKoa.responseCache(options);
        routes.set(route.path, cache);
        router.all(route.path, cache, handler);
      } else router.all(route.path, handler);
    }
    app.use(router.routes());
    return finish(await listen(app.callback()), appCache, routes, store, views.renders);
  },
};

function koaExchange(
  ctx: Koa.Context,
  render: (view: string, locals: Record<string, unknown>) => Promise<string>,
): Exchange {
  return {
    framework: 'koa',
    method: ctx.method,
    header: (name) => ctx.get(name) || undefined,
    host: () => ctx.host,
    status: (code) => {
      ctx.status = code;
    },
    set: (name, value) => ctx.set(name, value),
    send: (body) => {
      if (typeof body === 'string' && !ctx.response.get('Content-Type')) ctx.type = 'html';
      ctx.body = body;
    },
    writeHead(status, headers, body) {
      ctx.status = status;
      ctx.set(headers);
      ctx.body = body;
    },
    json: (value) => {
      ctx.body = value;
    },
    async chunks(parts) {
      ctx.body = Readable.from(parts);
    },
    async pipe(parts) {
      ctx.body = Readable.from(parts);
    },
    async file(name) {
      ctx.type = extname(name);
      ctx.body = createReadStream(`${fixtures}${name}`);
    },
    async render(view, locals) {
      ctx.type = 'html';
      ctx.body = await render(view, locals);
    },
    fail(message) {
      throw new Error(message);
    },
    tag: (...tags) => larderKoa.cacheTags(ctx, ...tags),
    skip: () => larderKoa.skipCache(ctx),
    ttl: (duration) => larderKoa.cacheTtl(ctx, duration),
  };
}

export const frameworks: readonly Framework[] = [express5, koa3];

/** A clock tests move by hand (epoch ms), for `now`. */
export function manualClock(start = Date.UTC(2026, 0, 1)): {
  now: () => number;
  advance(seconds: number): void;
} {
  let time = start;
  return {
    now: () => time,
    advance(seconds) {
      time += seconds * 1000;
    },
  };
}

/** Resolves once `condition` holds, checking on each turn of the event loop (gives up after `turns`). */
export async function until(condition: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (!condition()) throw new Error('condition not reached');
}
