import { cacheTags, responseCache } from '@larder/express';
import express from 'express';

/** Options of {@link createApp}. */
export interface DemoOptions {
  /** How long the slow route pretends to work, in milliseconds. @default 1000 */
  readonly delayMs?: number;
}

/**
 * The demo: an Express app whose `/slow` report takes a second to build, cached for a minute by
 * `responseCache()` on the default memory store. `app.locals.builds` counts the real builds.
 */
export function createApp(options: DemoOptions = {}): express.Express {
  const delayMs = options.delayMs ?? 1000;
  const app = express();
  const cache = responseCache({ ttl: '1m' });
  app.locals.builds = 0;
  app.locals.cache = cache;
  app.use(cache);

  app.get('/', (_req, res) => {
    res.type('text').send('Larder demo. Try GET /slow (cached for 1 minute) and POST /purge.\n');
  });

  app.get('/slow', async (_req, res) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    app.locals.builds++;
    cacheTags(res, 'report');
    res.json({
      report: 'quarterly numbers',
      build: app.locals.builds,
      builtAt: new Date().toISOString(),
    });
  });

  // POST is never cached: it drops every entry tagged "report".
  app.post('/purge', async (_req, res) => {
    await cache.invalidateTags(['report']);
    res.type('text').send('purged\n');
  });

  return app;
}
