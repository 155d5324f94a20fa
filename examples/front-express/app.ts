import { type CacheFrontHandler, cacheFront, cacheTags, responseCache } from '@larder/express';
import express from 'express';

/** The example shop: the Express app, the front that serves it, and what a test inspects. */
export interface Shop {
  readonly app: express.Express;
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
 * answered by `cacheFront` before Express runs. A front hit skips every middleware, so the access
 * log is kept through `onHit`, and the admin area, whose auth check must run on every request, is
 * kept on the app with `skip`.
 */
export function createShop(): Shop {
  const app = express();
  const log: string[] = [];
  const prices = new Map([
    ['1', 12],
    ['2', 30],
  ]);
  let renders = 0;
  const products = responseCache({ ttl: '5m' });

  app.use((req, _res, next) => {
    log.push(`${req.method} ${req.url} (app)`);
    next();
  });

  app.get('/products/:id', products, (req, res) => {
    const price = prices.get(String(req.params.id));
    if (price === undefined) {
      res.status(404).type('text').send('no such product\n');
      return;
    }
    renders++;
    cacheTags(res, `product:${req.params.id}`);
    res.type('html').send(`<h1>Product ${req.params.id}</h1><p>${price} EUR</p>\n`);
  });

  // A price change drops the product's cached page at once, for the front too.
  app.put('/products/:id', express.text(), async (req, res) => {
    prices.set(String(req.params.id), Number(req.body));
    await products.invalidateTags([`product:${req.params.id}`]);
    res.status(204).end();
  });

  // The report is expensive, so cached (one copy for every admin); the token check ahead of it
  // must still run every time, or the front would hand the cached report to anyone.
  app.use('/admin', (req, res, next) => {
    if (req.get('x-admin-token') === ADMIN_TOKEN) next();
    else res.status(401).type('text').send('token required\n');
  });
  app.get('/admin/report', responseCache({ ttl: '1m' }), (_req, res) => {
    res.type('text').send(`${prices.size} products\n`);
  });

  const front = cacheFront(app, {
    // Requests under /admin always reach the app, so its auth check runs.
    skip: (req) => req.url?.startsWith('/admin') === true,
    onHit: (req, status) => log.push(`${req.method} ${req.url} ${status} (front)`),
  });
  return { app, front, log, renders: () => renders };
}
