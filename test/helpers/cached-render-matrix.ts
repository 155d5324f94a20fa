/**
 * `cachedRender` scenarios written once and run on both frameworks: each route renders the
 * counting `tpl` view engine through `cachedRender`, on a real Express 5 app (`app.render`) and a
 * real Koa 3 app (the `render` option), listening on 127.0.0.1.
 */
import Router from '@koa/router';
import type { Cache } from '@larder/core';
import * as larderExpress from '@larder/express';
import type { CachedRenderOptions, LocalsInput } from '@larder/http';
import * as larderKoa from '@larder/koa';
import express, { type NextFunction, type Request, type Response } from 'express';
import Koa from 'koa';
import request from 'supertest';
import { type Framework, listen } from './browser-caching-matrix.ts';
import { countingViewEngine, fixtures } from './view-engine.ts';

export interface RenderRoute {
  readonly path: string;
  readonly view: string;
  /** Locals (or a function loading them) for a request's `:name` parameter. */
  readonly locals: (name: string) => LocalsInput;
  /** Options for a request's `:name` parameter. */
  readonly options: (name: string) => CachedRenderOptions;
  /** A Content-Type the handler sets before rendering. */
  readonly contentType?: string;
}

export interface RenderApp {
  readonly framework: Framework;
  http(): ReturnType<typeof request>;
  /** How many times the view engine rendered a template. */
  renders(): number;
}

/** Builds and starts an app with these routes on one framework. */
export async function startRenderApp(
  framework: Framework,
  routes: readonly RenderRoute[],
): Promise<RenderApp> {
  const views = countingViewEngine();
  const server =
    framework === 'express'
      ? await listen(expressApp(routes, views.engine))
      : await listen(koaApp(routes, views.render).callback());
  return { framework, http: () => request(server), renders: views.renders };
}

function expressApp(
  routes: readonly RenderRoute[],
  engine: ReturnType<typeof countingViewEngine>['engine'],
): express.Express {
  const app = express();
  app.set('env', 'test');
  app.engine('tpl', engine);
  app.set('view engine', 'tpl');
  app.set('views', fixtures);
  for (const route of routes) {
    app.get(route.path, async (req: Request, res: Response) => {
      const name = String(req.params.name ?? '');
      if (route.contentType !== undefined) res.type(route.contentType);
      await larderExpress.cachedRender(res, route.view, route.locals(name), route.options(name));
    });
  }
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).send(`render failed: ${error.message}`);
  });
  return app;
}

function koaApp(
  routes: readonly RenderRoute[],
  render: ReturnType<typeof countingViewEngine>['render'],
): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = 500;
      ctx.body = `render failed: ${(error as Error).message}`;
    }
  });
  const router = new Router();
  for (const route of routes) {
    router.get(route.path, async (ctx) => {
      const name = String(ctx.params.name ?? '');
      if (route.contentType !== undefined) ctx.type = route.contentType;
      await larderKoa.cachedRender(ctx, route.view, route.locals(name), {
        ...route.options(name),
        render,
      });
    });
  }
  app.use(router.routes());
  return app;
}

/** A route rendering `page.tpl` for `:name`, keyed on the name, in `cache` (if given). */
export function pageRoute(
  path: string,
  options: (name: string) => CachedRenderOptions,
  loads?: { count: number },
): RenderRoute {
  return {
    path,
    view: 'page',
    locals: (name) =>
      loads === undefined
        ? { name }
        : () => {
            loads.count++;
            return { name };
          },
    options,
  };
}

export type { Cache };
