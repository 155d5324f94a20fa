/**
 * A product page served by several workers that share one Redis. The response cache keeps each
 * page in Redis (with a near cache in every worker), so a page one worker rendered is a hit in
 * every other; changing a price invalidates the product's tag once, for all of them. The prices
 * live in a Redis hash standing in for the application's database.
 */
import { responseCache } from '@larder/express';
import { createRedisStore } from '@larder/redis';
import express, { type Express } from 'express';
import type { Cluster, Redis } from 'ioredis';

/**
 * Builds one worker's app on `client`. `worker` names it: each worker counts the requests it
 * served in Redis, and a rendered page says who rendered it (`X-Rendered-By`).
 */
export function createApp(client: Redis | Cluster, worker: string): Express {
  const store = createRedisStore({ client, prefix: 'shop:', nearCache: true });
  const pages = responseCache({
    store,
    ttl: '5m',
    tags: (request) => [`product:${request.path.split('/')[2] ?? ''}`],
  });
  const app = express();
  app.use((_req, _res, next) => {
    client.hincrby('shop-db:served', worker, 1).then(() => next(), next);
  });

  app.get('/products/:id', pages, async (req, res) => {
    // Every render, in any worker, is counted in Redis: the test reads the total.
    await client.incr('shop-db:renders');
    const price = (await client.hget('shop-db:prices', String(req.params.id))) ?? '10.00';
    res.set('X-Rendered-By', worker);
    res.type('html').send(`<h1>Product ${req.params.id}</h1><p>Price: ${price}</p>`);
  });

  app.put('/products/:id/price', express.text(), async (req, res) => {
    await client.hset('shop-db:prices', String(req.params.id), String(req.body));
    await pages.invalidateTags([`product:${req.params.id}`]);
    res.status(204).end();
  });

  return app;
}
