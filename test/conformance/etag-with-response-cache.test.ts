// What the root README says about etagCache and responseCache on one route: a hit never runs the
// handler, so a new version shows only after an invalidation; etagCache alone sees it at once.
import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import { after, describe, it } from 'node:test';
import * as larderExpress from '@larder/express';
import * as larderKoa from '@larder/koa';
import express from 'express';
import Koa from 'koa';
import request from 'supertest';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

// One listening server per app: the cache keys on the host, port included, and supertest would
// otherwise listen on a new port for every request.
async function listen(handler: RequestListener): Promise<Server> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

interface Site {
  version: string;
  runs: number;
}

async function expressApp(site: Site, cached: boolean) {
  const app = express();
  const pages = larderExpress.responseCache({ ttl: '5m' });
  const handler = (req: express.Request, res: express.Response) => {
    site.runs++;
    if (larderExpress.etagCache(req, res, site.version)) return;
    larderExpress.cacheTags(res, 'article');
    res.send(`article ${site.version}`);
  };
  if (cached) app.get('/article', pages, handler);
  else app.get('/article', handler);
  return { server: await listen(app), invalidate: () => pages.invalidateTags(['article']) };
}

async function koaApp(site: Site, cached: boolean) {
  const app = new Koa();
  const pages = larderKoa.responseCache({ ttl: '5m' });
  if (cached) app.use(pages);
  app.use((ctx) => {
    site.runs++;
    if (larderKoa.etagCache(ctx, site.version)) return;
    larderKoa.cacheTags(ctx, 'article');
    ctx.body = `article ${site.version}`;
  });
  return {
    server: await listen(app.callback()),
    invalidate: () => pages.invalidateTags(['article']),
  };
}

for (const [name, make] of [
  ['express', expressApp],
  ['koa', koaApp],
] as const) {
  describe(`etagCache with and without responseCache [${name}]`, () => {
    it('etagCache alone: the handler runs each time and a new version is seen at once', async () => {
      const site = { version: 'v1', runs: 0 };
      const { server } = await make(site, false);
      await request(server).get('/article').set('If-None-Match', '"v1"').expect(304);
      site.version = 'v2';
      const res = await request(server).get('/article').set('If-None-Match', '"v1"').expect(200);
      assert.equal(res.text, 'article v2');
      assert.equal(site.runs, 2);
    });

    it('with responseCache: hits skip the handler, so v2 is seen only after an invalidation', async () => {
      const site = { version: 'v1', runs: 0 };
      const { server, invalidate } = await make(site, true);
      await request(server).get('/article').expect(200, 'article v1');
      site.version = 'v2';
      const stale = await request(server).get('/article').expect(200);
      assert.equal(stale.text, 'article v1', 'the stored page, not the new version');
      await request(server).get('/article').set('If-None-Match', '"v1"').expect(304);
      assert.equal(site.runs, 1, 'the handler ran once; the cache answered the rest');
      await invalidate();
      const fresh = await request(server).get('/article').set('If-None-Match', '"v1"').expect(200);
      assert.equal(fresh.text, 'article v2');
      assert.equal(site.runs, 2);
    });
  });
}
