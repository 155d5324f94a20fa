/**
 * Browser-caching scenarios written once and run on both frameworks: a neutral route description
 * becomes a real Express 5 app and a real Koa 3 app, each listening on 127.0.0.1, driven through
 * supertest.
 */
import { createServer, type Server } from 'node:http';
import { after, describe } from 'node:test';
import Router from '@koa/router';
import * as larderExpress from '@larder/express';
import type {
  CacheControlInput,
  CacheControlOptions,
  CacheExpiresValue,
  CacheHeadersOptions,
  EtagCacheOptions,
} from '@larder/http';
import * as larderKoa from '@larder/koa';
import express, { type NextFunction, type Request, type Response } from 'express';
import Koa from 'koa';
import request from 'supertest';

export type Framework = 'express' | 'koa';

/** What a neutral handler can do; each framework maps it to its own idiom. */
export interface BrowserExchange {
  readonly framework: Framework;
  etagCache(key: string | number, options?: EtagCacheOptions): boolean;
  cacheControl(directives: CacheControlInput, options?: CacheControlOptions): void;
  cacheExpires(when: CacheExpiresValue, directives?: CacheControlInput): void;
  noCache(enabled?: boolean): void;
  set(name: string, value: string): void;
  /** A request header, lower-case name. */
  header(name: string): string | undefined;
  status(code: number): void;
  /** Express `res.send(text)`; Koa `ctx.body = text`. */
  send(body: string): void;
  /** Throws an error carrying `status`: Express's final handler and Koa's `onerror` answer it. */
  fail(status: number): never;
  /** Sends a 200's headers and a first chunk straight away, bypassing the framework's body handling. */
  writeEarly(chunk: string): void;
  /** Ends a response begun with `writeEarly`. */
  endEarly(chunk: string): void;
}

export interface BrowserRoute {
  readonly method?: 'get' | 'post' | 'put';
  readonly path: string;
  readonly handler: (x: BrowserExchange) => unknown;
}

export interface BrowserAppSpec {
  readonly routes: readonly BrowserRoute[];
  /** App-wide `cacheHeaders(options)` in front of the routes. */
  readonly cacheHeaders?: CacheHeadersOptions;
  /** App-wide `noCache` applied before the routes run. @default false */
  readonly noCacheFirst?: boolean;
}

export interface BrowserApp {
  readonly framework: Framework;
  http(): ReturnType<typeof request>;
}

class HttpError extends Error {
  readonly status: number;
  readonly expose = true;
  constructor(status: number) {
    super(`failed with ${status}`);
    this.status = status;
  }
}

function expressExchange(req: Request, res: Response): BrowserExchange {
  return {
    framework: 'express',
    etagCache: (key, options) => larderExpress.etagCache(req, res, key, options),
    cacheControl: (directives, options) => larderExpress.cacheControl(res, directives, options),
    cacheExpires: (when, directives) => larderExpress.cacheExpires(res, when, directives),
    noCache: (enabled) => larderExpress.noCache(res, enabled),
    set: (name, value) => res.set(name, value),
    header: (name) => req.get(name),
    status: (code) => res.status(code),
    send: (body) => res.send(body),
    fail: (status) => {
      throw new HttpError(status);
    },
    writeEarly: (chunk) => {
      res.write(chunk);
    },
    endEarly: (chunk) => {
      res.end(chunk);
    },
  };
}

function koaExchange(ctx: Koa.Context): BrowserExchange {
  return {
    framework: 'koa',
    etagCache: (key, options) => larderKoa.etagCache(ctx, key, options),
    cacheControl: (directives, options) => larderKoa.cacheControl(ctx, directives, options),
    cacheExpires: (when, directives) => larderKoa.cacheExpires(ctx, when, directives),
    noCache: (enabled) => larderKoa.noCache(ctx, enabled),
    set: (name, value) => ctx.set(name, value),
    header: (name) => ctx.get(name) || undefined,
    status: (code) => {
      ctx.status = code;
    },
    send: (body) => {
      ctx.body = body;
    },
    fail: (status) => {
      throw new HttpError(status);
    },
    writeEarly: (chunk) => {
      ctx.respond = false;
      ctx.res.writeHead(200);
      ctx.res.write(chunk);
    },
    endEarly: (chunk) => {
      ctx.res.end(chunk);
    },
  };
}

/** The Express app for a spec (Express's default weak ETag and `req.fresh` check stay on). */
export function buildExpressApp(spec: BrowserAppSpec): express.Express {
  const app = express();
  app.set('env', 'test'); // keeps the final handler from logging expected errors
  if (spec.cacheHeaders !== undefined) app.use(larderExpress.cacheHeaders(spec.cacheHeaders));
  if (spec.noCacheFirst === true) {
    app.use((_req: Request, res: Response, next: NextFunction) => {
      larderExpress.noCache(res);
      next();
    });
  }
  for (const route of spec.routes) {
    app[route.method ?? 'get'](route.path, async (req: Request, res: Response) => {
      await route.handler(expressExchange(req, res));
    });
  }
  return app;
}

/** The Koa app for a spec. */
export function buildKoaApp(spec: BrowserAppSpec): Koa {
  const app = new Koa();
  app.silent = true; // expected errors are asserted through responses, not logs
  if (spec.cacheHeaders !== undefined) app.use(larderKoa.cacheHeaders(spec.cacheHeaders));
  if (spec.noCacheFirst === true) {
    app.use(async (ctx, next) => {
      larderKoa.noCache(ctx);
      await next();
    });
  }
  const router = new Router();
  for (const route of spec.routes) {
    router[route.method ?? 'get'](route.path, async (ctx) => {
      await route.handler(koaExchange(ctx));
    });
  }
  app.use(router.routes());
  return app;
}

/** Starts a server on 127.0.0.1 for the app and closes it after the enclosing suite. */
export async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

/** Builds and starts the spec on one framework. */
export async function startApp(framework: Framework, spec: BrowserAppSpec): Promise<BrowserApp> {
  const server =
    framework === 'express'
      ? await listen(buildExpressApp(spec))
      : await listen(buildKoaApp(spec).callback());
  return { framework, http: () => request(server) };
}

/** Runs the same suite once per framework (`describe('express' | 'koa')`). */
export function describeBothFrameworks(title: string, suite: (framework: Framework) => void): void {
  describe(title, () => {
    for (const framework of ['express', 'koa'] as const) {
      describe(framework, () => suite(framework));
    }
  });
}

/**
 * The raw lines of one response header. Node's client keeps only the first of a repeated `ETag`
 * (and other single-value fields), so a second one is visible only in the raw lines.
 */
export function headerLines(response: request.Response, name: string): string[] {
  const raw: string[] = (response as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders;
  const lines: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === name.toLowerCase()) lines.push(raw[i + 1]!);
  }
  return lines;
}

/** A route that prepares the response with `prepare`, then sends `body`. */
export function sends(
  path: string,
  prepare: (x: BrowserExchange) => void,
  body = 'ok',
  method: BrowserRoute['method'] = 'get',
): BrowserRoute {
  return {
    method,
    path,
    handler: (x) => {
      prepare(x);
      x.send(body);
    },
  };
}

/**
 * The route shape `etagCache` exists for: prepare the response, return as soon as `etagCache`
 * answered 304, otherwise do the counted expensive work and send its result.
 */
export function versioned(
  path: string,
  key: string | number,
  counter: ReturnType<typeof workCounter>,
  how: {
    prepare?: (x: BrowserExchange) => void;
    options?: EtagCacheOptions;
    method?: BrowserRoute['method'];
  } = {},
): BrowserRoute {
  return {
    method: how.method ?? 'get',
    path,
    handler: (x) => {
      how.prepare?.(x);
      if (x.etagCache(key, how.options)) return;
      x.send(counter.work());
    },
  };
}

/** A counter a handler bumps when it does its "expensive work", to prove a 304 skipped it. */
export function workCounter(): { readonly count: number; work(): string } {
  let count = 0;
  return {
    get count() {
      return count;
    },
    work() {
      count++;
      return `rendered #${count}`;
    },
  };
}
