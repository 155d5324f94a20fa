/**
 * One page, four template engines, two frameworks: each engine renders `fixtures/<engine>/page.*`
 * (an outer cached block holding an inner one, and a block keyed on `user`) through a real
 * Express 5 app (`res.render`) or a real Koa 3 app, driven through supertest. A `tick` object in
 * the locals counts every time the body of a block runs.
 */
import { relative } from 'node:path';
import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import koaEjs from '@koa/ejs';
import Router from '@koa/router';
import {
  createFragmentHelper,
  ejsAsyncEngine,
  type FragmentCache,
  type FragmentCacheOptions,
} from '@larder/views';
import { liquidCache } from '@larder/views/liquid';
import { nunjucksCache } from '@larder/views/nunjucks';
import ejs from 'ejs';
import { Eta } from 'eta';
import express, { type NextFunction, type Request, type Response } from 'express';
import Koa from 'koa';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import request from 'supertest';

export type EngineName = 'liquid' | 'nunjucks' | 'ejs' | 'eta';
export type Framework = 'express' | 'koa';
export const ENGINES: readonly EngineName[] = ['liquid', 'nunjucks', 'ejs', 'eta'];
export const FRAMEWORKS: readonly Framework[] = ['express', 'koa'];

/** The fixtures of one engine. */
export function fixtureDir(engine: EngineName): string {
  return fileURLToPath(new URL(`./fixtures/${engine}/`, import.meta.url));
}

/**
 * How many times each block's body ran: reading `tick.<block>` (Liquid, EJS, Eta) or calling
 * `count('<block>')` (Nunjucks, whose member lookup reads a property twice) counts one run.
 */
export interface Ticks {
  readonly counts: Record<string, number>;
  readonly tick: Record<string, number>;
  readonly count: (name: string) => number;
}

export function createTicks(): Ticks {
  const counts: Record<string, number> = {};
  const tick = {};
  for (const name of ['outer', 'inner', 'user']) {
    counts[name] = 0;
    Object.defineProperty(tick, name, {
      enumerable: true,
      get: () => {
        counts[name] = (counts[name] ?? 0) + 1;
        return counts[name];
      },
    });
  }
  const count = (name: string): number => {
    counts[name] = (counts[name] ?? 0) + 1;
    return counts[name];
  };
  return { counts, tick: tick as Record<string, number>, count };
}

/** Renders a view of the engine to HTML, with the engine's cache binding installed. */
interface Renderer {
  readonly fragments: FragmentCache;
  /** Locals every render needs besides the page's (the EJS/Eta `fragment` helper). */
  readonly locals: Record<string, unknown>;
  render(view: string, locals: Record<string, unknown>): Promise<string>;
  /** Installs the engine on an Express app so `res.render(view)` works. */
  express(app: express.Express): void;
}

function renderer(engine: EngineName, dir: string, options: FragmentCacheOptions): Renderer {
  switch (engine) {
    case 'liquid': {
      const liquid = new Liquid({ root: dir, extname: '.liquid', cache: false });
      const fragments = liquidCache(liquid, options);
      return {
        fragments,
        locals: {},
        render: (view, locals) => liquid.renderFile(view, locals),
        express(app) {
          app.engine('liquid', liquid.express());
          app.set('view engine', 'liquid');
        },
      };
    }
    case 'nunjucks': {
      const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir, { noCache: true }), {
        autoescape: true,
      });
      const fragments = nunjucksCache(env, options);
      return {
        fragments,
        locals: {},
        render: (view, locals) =>
          new Promise((resolve, reject) =>
            env.render(`${view}.njk`, locals, (error, html) =>
              error ? reject(error) : resolve(html ?? ''),
            ),
          ),
        express(app) {
          env.express(app);
          app.set('view engine', 'njk');
        },
      };
    }
    case 'ejs': {
      const fragment = createFragmentHelper(options);
      return {
        fragments: fragment.fragments,
        locals: { fragment },
        render: (view, locals) =>
          ejs.renderFile(`${dir}${view}.ejs`, locals, { async: true }) as Promise<string>,
        express(app) {
          app.engine('ejs', ejsAsyncEngine(ejs));
          app.set('view engine', 'ejs');
        },
      };
    }
    case 'eta': {
      const eta = new Eta({ views: dir, cache: false });
      const fragment = createFragmentHelper(options);
      return {
        fragments: fragment.fragments,
        locals: { fragment },
        render: (view, locals) => eta.renderAsync(`./${view}`, locals),
        express(app) {
          app.engine(
            'eta',
            (path: string, locals: object, done: (e: Error | null, html?: string) => void) => {
              eta.renderAsync(`./${relative(dir, path)}`, locals).then(
                (html) => done(null, html),
                (error: Error) => done(error),
              );
            },
          );
          app.set('view engine', 'eta');
        },
      };
    }
  }
}

export interface EngineApp {
  readonly fragments: FragmentCache;
  readonly counts: Record<string, number>;
  http(): ReturnType<typeof request>;
}

export interface EngineAppOptions {
  /** The fragment cache options. @default {} */
  readonly fragments?: FragmentCacheOptions;
  /** The templates' folder. @default the engine's fixtures */
  readonly dir?: string;
}

/** The page's locals for a request: `?user=` (absent: `undefined`, which must fail the render). */
function pageLocals(query: Record<string, unknown>, ticks: Ticks): Record<string, unknown> {
  return { title: 'Menu', user: query.user, tick: ticks.tick, count: ticks.count };
}

/**
 * Builds an app serving `GET /` (the page) on one framework. On Koa, EJS renders through
 * `@koa/ejs` in async mode and the other engines through their own render call.
 */
export function engineApp(
  engine: EngineName,
  framework: Framework,
  options: EngineAppOptions = {},
): EngineApp {
  const dir = options.dir ?? fixtureDir(engine);
  const views = renderer(engine, dir, options.fragments ?? {});
  const ticks = createTicks();
  let handler: Parameters<typeof request>[0];
  if (framework === 'express') {
    const app = express();
    app.set('env', 'test');
    app.set('views', dir);
    views.express(app);
    Object.assign(app.locals, views.locals);
    app.get('/', (req: Request, res: Response, next: NextFunction) => {
      res.render('page', pageLocals(req.query, ticks), (error, html) =>
        error ? next(error) : res.send(html),
      );
    });
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).type('text').send(error.message);
    });
    handler = app;
  } else {
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.status = 500;
        ctx.type = 'text';
        ctx.body = (error as Error).message;
      }
    });
    if (engine === 'ejs') {
      koaEjs(app, { root: dir, viewExt: 'ejs', layout: false, async: true });
    }
    const router = new Router();
    router.get('/', async (ctx) => {
      const locals = { ...views.locals, ...pageLocals(ctx.query, ticks) };
      if (engine === 'ejs') {
        Object.assign(ctx.state, views.locals);
        await (ctx as unknown as { render(v: string, l: object): Promise<string> }).render(
          'page',
          locals,
        );
        return;
      }
      ctx.type = 'html';
      ctx.body = await views.render('page', locals);
    });
    app.use(router.routes());
    handler = app.callback();
  }
  return { fragments: views.fragments, counts: ticks.counts, http: () => request(handler) };
}

/** Runs the suite once per engine and framework (`describe('liquid on express')`, …). */
export function describeEngines(
  title: string,
  suite: (engine: EngineName, framework: Framework) => void,
  engines: readonly EngineName[] = ENGINES,
): void {
  describe(title, () => {
    for (const engine of engines) {
      for (const framework of FRAMEWORKS) {
        describe(`${engine} on ${framework}`, () => suite(engine, framework));
      }
    }
  });
}
