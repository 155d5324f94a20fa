/**
 * A small article site. Each article has a version that changes when it is edited:
 * `etagCache` turns that version into the ETag and answers 304 before the page is rendered,
 * and `cacheExpires` lets browsers reuse the page for a minute without asking at all.
 */
import { cacheExpires, cacheHeaders, etagCache, noCache } from '@larder/express';
import express, { type Express, type Request, type Response } from 'express';

interface Article {
  title: string;
  body: string;
  version: number;
  updatedAt: Date;
}

/** Builds the example app; `app.locals.renders` counts the expensive renders. */
export function createApp(): Express {
  const articles = new Map<string, Article>([
    [
      '1',
      {
        title: 'Hello',
        body: 'First post.',
        version: 1,
        updatedAt: new Date(Date.UTC(2026, 0, 1)),
      },
    ],
  ]);
  const app = express();
  app.locals.renders = 0;
  app.use(express.text());
  // Successful pages that say nothing else may be cached briefly; errors are never stored.
  app.use(cacheHeaders({ cacheControl: { public: true, maxAge: '10s' } }));

  app.get('/articles/:id', (req: Request<{ id: string }>, res: Response) => {
    const article = articles.get(req.params.id);
    if (article === undefined) {
      res.status(404).send('No such article');
      return;
    }
    // Freshness first, so a 304 carries the same Cache-Control and Expires as the 200.
    res.set('Last-Modified', article.updatedAt.toUTCString());
    cacheExpires(res, '1m', { public: true });
    if (etagCache(req, res, `article-${req.params.id}-v${article.version}`)) return;
    app.locals.renders++;
    res.type('html').send(`<h1>${article.title}</h1><p>${article.body}</p>`);
  });

  app.put('/articles/:id', (req: Request<{ id: string }>, res: Response) => {
    const article = articles.get(req.params.id);
    if (article === undefined) {
      res.sendStatus(404);
      return;
    }
    article.body = String(req.body);
    article.version++;
    article.updatedAt = new Date();
    noCache(res);
    res.sendStatus(204);
  });

  return app;
}

export const app = createApp();
