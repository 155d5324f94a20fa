import Router from '@koa/router';
import { type CacheFrontHandler, cacheFront, cacheTags, responseCache } from '@larder/koa';
import Koa from 'koa';

/** The example shop: the Koa application, the front that serves it, and what a test inspects. */
export interface Shop {
  readonly app: Koa;
  /** `cacheFront(app)`: give it to `http.createServer`. */
  readonly front: CacheFrontHandler;
  /** The access log: one line per request, whether the app or the front answered it. */
  readonly log: string[];
  /** How many product pages were really rendered. */
  renders(): number;
}

const ADMIN_TOKEN = 'let-me-in';

/**
 * A shop whose product pages are cached for five minutes by a route-level `responseCache` and
 * answered by `cacheFront` before Koa runs. A front hit skips every middleware, so the access log
 * is kept through `onHit`, and the admin area, whose auth check must run on every request, is
 * kept on the app with `skip`.
 */
export function createShop(): Shop {
  const app = new Koa();
  const router = new Router();
  const log: string[] = [];
  const prices = new Map([
    ['1', 12],
    ['2', 30],
  ]);
  let renders = 0;
  const products = responseCache({ ttl: '5m' });

  app.use((ctx, next) => {
    log.push(`${ctx.method} ${ctx.url} (app)`);
    return next();
  });

  router.get('/products/:id', products, (ctx) => {
    const price = prices.get(ctx.params.id ?? '');
    if (price === undefined) {
      ctx.status = 404;
      ctx.body = 'no such product\n';
      return;
    }
    renders++;
    cacheTags(ctx, `product:${ctx.params.id}`);
    ctx.type = 'html';
    ctx.body = `<h1>Product ${ctx.params.id}</h1><p>${price} EUR</p>\n`;
  });

  // A price change drops the product's cached page at once, for the front too.
  router.put('/products/:id', async (ctx) => {
    let text = '';
    for await (const chunk of ctx.req) text += chunk;
    prices.set(ctx.params.id ?? '', Number(text));
    await products.invalidateTags([`product:${ctx.params.id}`]);
    ctx.status = 204;
  });

  // The report is expensive, so cached (one copy for every admin); the token check ahead of it
  // must still run every time, or the front would hand the cached report to anyone.
  const admin = (ctx: Koa.Context, next: Koa.Next) => {
    if (ctx.get('x-admin-token') === ADMIN_TOKEN) return next();
    ctx.status = 401;
    ctx.body = 'token required\n';
  };
  router.get('/admin/report', admin, responseCache({ ttl: '1m' }), (ctx) => {
    ctx.body = `${prices.size} products\n`;
  });
  app.use(router.routes());

  const front = cacheFront(app, {
    // Requests under /admin always reach the app, so its auth check runs.
    skip: (req) => req.url?.startsWith('/admin') === true,
    onHit: (req, status) => log.push(`${req.method} ${req.url} ${status} (front)`),
  });
  return { app, front, log, renders: () => renders };
}
