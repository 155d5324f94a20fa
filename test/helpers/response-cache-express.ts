import { Readable } from 'node:stream';
import * as larderExpress from '@larder/express';
import type { ResponseCacheAdmin } from '@larder/http';
import compression from 'compression';
import express from 'express';
import { type Exchange, type Framework, listen, prepare } from './response-cache-harness.ts';
import { fixtures } from './view-engine.ts';

/** Builds an `AppSpec` as a real Express 5 app. */
export const express5: Framework = {
  name: 'express',
  async build(spec) {
    const { views, options: withStore, finish } = prepare(spec);
    const app = express();
    app.engine('tpl', views.engine);
    app.set('view engine', 'tpl');
    app.set('views', fixtures);
    if (spec.trustProxy) app.set('trust proxy', true);
    const rewrite = spec.rewrite;
    if (rewrite !== undefined) {
      app.use((req, _res, next) => {
        const url = rewrite(req.url, (name) => req.get(name));
        if (url !== undefined) req.url = url;
        next();
      });
    }
    if (spec.compression === 'outer') app.use(compression({ threshold: 0 }));
    const appOptions = withStore(spec.cache);
    const appCache = appOptions && larderExpress.responseCache(appOptions);
    if (appCache) app.use(appCache);
    if (spec.compression === 'inner') app.use(compression({ threshold: 0 }));
    const routes = new Map<string, ResponseCacheAdmin>();
    for (const route of spec.routes) {
      const options = withStore(route.cache);
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
    const outerCompression = spec.compression === 'outer';
    const handler = spec.front === true ? larderExpress.cacheFront(app, { outerCompression }) : app;
    return finish(await listen(handler), appCache, routes);
  },
};

function expressExchange(req: express.Request, res: express.Response): Exchange {
  return {
    framework: 'express',
    method: req.method,
    header: (name) => req.get(name),
    query: (name) => (req.query as Record<string, unknown>)[name],
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
