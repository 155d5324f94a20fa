/**
 * A shop page built from cached template fragments. The menu is cached for good, each category's
 * product list for ten minutes under the tag `products`, each product inside it under its own
 * version; the greeting is per visitor and never cached. The catalogue is read lazily from the
 * template, so a cached fragment costs no query: `app.locals.queries` counts them.
 */
import { fileURLToPath } from 'node:url';
import { createCache } from '@larder/core';
import { liquidCache } from '@larder/views/liquid';
import express, { type Express, type Request, type Response } from 'express';
import { Liquid } from 'liquidjs';

interface Product {
  id: number;
  name: string;
  price: number;
  version: number;
}

const views = fileURLToPath(new URL('./views/', import.meta.url));

/** Builds the example app; `app.locals.queries` counts catalogue reads, `app.locals.fragments` is the fragment cache. */
export function createApp(): Express {
  const catalogue: Record<string, Product[]> = {
    tea: [
      { id: 1, name: 'Sencha', price: 9, version: 1 },
      { id: 2, name: 'Assam', price: 7, version: 1 },
    ],
    coffee: [{ id: 3, name: 'Mocha', price: 12, version: 1 }],
  };
  const app = express();
  app.locals.queries = 0;
  // What the template reads: each property access is one "query", made only when a block renders.
  const shop = {
    get categories() {
      app.locals.queries++;
      return Object.keys(catalogue);
    },
    get products() {
      app.locals.queries++;
      return catalogue;
    },
  };

  const liquid = new Liquid({ root: views, extname: '.liquid' });
  const fragments = liquidCache(liquid, { cache: createCache(), ttl: '1h' });
  app.locals.fragments = fragments;
  app.engine('liquid', liquid.express());
  app.set('views', views);
  app.set('view engine', 'liquid');
  app.use(express.json());

  app.get('/shop/:category', (req: Request<{ category: string }>, res: Response) => {
    if (!Object.hasOwn(catalogue, req.params.category)) {
      res.status(404).send('No such category');
      return;
    }
    res.render('shop', {
      category: req.params.category,
      visitor: req.get('X-Visitor') ?? 'guest',
      shop,
    });
  });

  // An edit bumps the product's version (part of its own fragment's key) and retires the lists
  // tagged 'products'; the other products' fragments stay and are reused inside the new list.
  app.put('/products/:id', async (req: Request<{ id: string }>, res: Response) => {
    const product = Object.values(catalogue)
      .flat()
      .find((p) => String(p.id) === req.params.id);
    const price = (req.body as { price?: unknown } | undefined)?.price;
    if (product === undefined || typeof price !== 'number') {
      res.sendStatus(product === undefined ? 404 : 400);
      return;
    }
    product.price = price;
    product.version++;
    await fragments.invalidateTags(['products']);
    res.sendStatus(204);
  });

  return app;
}

export const app = createApp();
