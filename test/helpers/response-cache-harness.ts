/**
 * The shared part of the two-framework harness: the neutral description of an app (routes with a
 * framework-neutral handler), what a built app offers a test, and small test utilities.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { createMemoryStore, type Duration, type Store } from '@larder/core';
import type { ResponseCacheAdmin, ResponseCacheOptions } from '@larder/http';
import request from 'supertest';
import { countingViewEngine } from './view-engine.ts';

/** What a neutral handler can do; each framework maps it to its idiom. */
export interface Exchange {
  readonly framework: 'express' | 'koa' | 'node';
  readonly method: string;
  header(name: string): string | undefined;
  /** What the framework's query parser hands the handler for `name` (Express `req.query`, Koa `ctx.query`). */
  query(name: string): unknown;
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
  /**
   * A middleware before every `responseCache` that rewrites the URL (Express `req.url`, Koa
   * `ctx.url`) to what this returns for the current URL and request headers, when it returns one.
   */
  readonly rewrite?: (
    url: string,
    header: (name: string) => string | undefined,
  ) => string | undefined;
  /** Serve the app through `cacheFront(app)`, which answers hits before the framework runs. @default false */
  readonly front?: boolean;
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
  readonly name: 'express' | 'koa' | 'node';
  /** How test titles name it, when not `name` (e.g. `'express+front'`). */
  readonly label?: string;
  build(spec: AppSpec): Promise<TestApp>;
}

/** What a counted handler answers on its n-th call (n counts from 1). */
export type Respond = (x: Exchange, n: number) => unknown;

/** A route (given without its handler) whose handler counts its calls, then lets `respond` answer. */
export function countedRoute(
  route: Omit<RouteSpec, 'handler'>,
  respond: Respond,
): { readonly spec: RouteSpec; calls(): number } {
  let calls = 0;
  return { spec: { ...route, handler: (x) => respond(x, ++calls) }, calls: () => calls };
}

/** What {@link countedApp} builds: an {@link AppSpec} whose one route is given without its handler. */
export interface CountedAppSpec extends Omit<AppSpec, 'routes'> {
  readonly route: Omit<RouteSpec, 'handler'>;
}

/**
 * Builds an app with one counted route, for tests that prove hits by counting handler calls.
 *
 * @example
 * const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/a' } }, (x, n) =>
 *   x.send(`call ${n}`),
 * );
 */
export async function countedApp(
  fw: Framework,
  spec: CountedAppSpec,
  respond: Respond,
): Promise<{ readonly app: TestApp; calls(): number }> {
  const { route, ...rest } = spec;
  const counted = countedRoute(route, respond);
  return { app: await fw.build({ ...rest, routes: [counted.spec] }), calls: counted.calls };
}

const servers: Server[] = [];
after(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

export async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return server;
}

/**
 * What both builders start from: the spec's store (a fresh memory store unless given, none for
 * `'default'`), a counting view engine, the options each `responseCache` gets (with the store
 * filled in), and `finish` to describe the listening server as a {@link TestApp}.
 */
export function prepare(spec: AppSpec) {
  const store = spec.store === 'default' ? undefined : (spec.store ?? createMemoryStore());
  const views = countingViewEngine();
  return {
    views,
    options(options: ResponseCacheOptions | undefined): ResponseCacheOptions | undefined {
      if (options === undefined) return undefined;
      return store === undefined || options.store !== undefined ? options : { ...options, store };
    },
    finish: (
      server: Server,
      appCache: ResponseCacheAdmin | undefined,
      routes: Map<string, ResponseCacheAdmin>,
    ) => finish(server, appCache, routes, store, views.renders),
  };
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
