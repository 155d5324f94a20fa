import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, describe, it } from 'node:test';
import compression from 'compression';
import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { cacheHeaders, etagCache } from '../src/index.ts';

async function serve(app: express.Express): Promise<Server> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

/** Every ETag line sent: Node's client keeps only the first of a repeated one in `headers`. */
function etagLines(response: request.Response): string[] {
  const raw = (response as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders;
  return raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'etag');
}

describe('Express: etagCache with Express’s own ETag and freshness logic', () => {
  const cases: Array<[label: string, setting: 'weak' | 'strong' | false, end: 'send' | 'end']> = [
    ["the app's etag setting is weak", 'weak', 'send'],
    ["the app's etag setting is strong", 'strong', 'send'],
    ["the app's etag setting is false", false, 'send'],
    // res.end bypasses res.send's ETag logic entirely (graphql/express-graphql#115).
    ['the handler ends with res.end', 'weak', 'end'],
  ];
  for (const [label, setting, end] of cases) {
    it(`sends exactly our ETag, once, and 304s on it when ${label}`, async () => {
      const app = express();
      app.set('etag', setting);
      let calls = 0;
      app.get('/', (req: Request, res: Response) => {
        if (etagCache(req, res, 'v1')) return;
        calls++;
        res[end]('body');
      });
      const server = await serve(app);
      const full = await request(server).get('/').expect(200);
      assert.deepEqual(etagLines(full), ['"v1"']);
      await request(server).get('/').set('If-None-Match', '"v1"').expect(304);
      assert.equal(calls, 1);
    });
  }
});

describe('Express: etagCache behind compression', () => {
  it('revalidates a compressed response whose ETag is weak, as a coded body needs', async () => {
    const app = express();
    app.use(compression({ threshold: 0 }));
    let calls = 0;
    app.get('/', (req: Request, res: Response) => {
      if (etagCache(req, res, 'v1', { weak: true })) return;
      calls++;
      res.send('x'.repeat(2048));
    });
    const server = await serve(app);
    const full = await request(server).get('/').set('Accept-Encoding', 'gzip').expect(200);
    assert.equal(full.headers['content-encoding'], 'gzip');
    assert.equal(full.headers.etag, 'W/"v1"');
    await request(server)
      .get('/')
      .set('Accept-Encoding', 'gzip')
      .set('If-None-Match', full.headers.etag!)
      .expect(304);
    assert.equal(calls, 1);
  });
});

describe('Express: cacheHeaders', () => {
  it('writes the defaults on the 304 Express itself sends from res.send', async () => {
    const app = express();
    app.use(cacheHeaders({ cacheControl: { public: true, maxAge: 60 } }));
    app.get('/', (_req: Request, res: Response) => {
      res.send('same body');
    });
    const server = await serve(app);
    const full = await request(server).get('/').expect(200);
    const res = await request(server).get('/').set('If-None-Match', full.headers.etag!).expect(304);
    assert.equal(res.headers['cache-control'], 'public, max-age=60');
  });

  it('sees headers given to res.writeHead and keeps a Cache-Control set there', async () => {
    const app = express();
    app.use(cacheHeaders({ cacheControl: { maxAge: 60 } }));
    app.get('/', (_req: Request, res: Response) => {
      res.writeHead(200, { 'Cache-Control': 'private' });
      res.end('x');
    });
    const res = await request(await serve(app))
      .get('/')
      .expect(200);
    assert.equal(res.headers['cache-control'], 'private');
  });

  it('replaces a Cache-Control given to res.writeHead on a 5xx', async () => {
    const app = express();
    app.use(cacheHeaders());
    app.get('/', (_req: Request, res: Response) => {
      res.writeHead(503, 'Busy', { 'Cache-Control': 'max-age=600', Expires: 'tomorrow' });
      res.end();
    });
    const res = await request(await serve(app))
      .get('/')
      .expect(503);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers.expires, undefined);
  });

  it('writes the defaults on a streamed response', async () => {
    const app = express();
    app.use(cacheHeaders({ expires: '1m' }));
    app.get('/', (_req: Request, res: Response) => {
      res.write('a');
      res.end('b');
    });
    const res = await request(await serve(app))
      .get('/')
      .expect(200);
    assert.equal(res.headers['cache-control'], 'max-age=60');
    assert.ok(res.headers.expires);
  });

  it('applies router-wide only to that router', async () => {
    const app = express();
    const router = express.Router();
    router.use(cacheHeaders({ cacheControl: { public: true, maxAge: 30 } }));
    router.get('/in', (_req: Request, res: Response) => {
      res.send('in');
    });
    app.use('/r', router);
    app.get('/out', (_req: Request, res: Response) => {
      res.send('out');
    });
    const server = await serve(app);
    assert.equal(
      (await request(server).get('/r/in')).headers['cache-control'],
      'public, max-age=30',
    );
    assert.equal((await request(server).get('/out')).headers['cache-control'], undefined);
  });

  it('throws at setup, naming cacheHeaders, the option and the value', () => {
    assert.throws(
      () => cacheHeaders({ cacheControl: { maxAge: '5 fortnights' } }),
      /^RangeError: cacheHeaders: option "maxAge".*"5 fortnights"/,
    );
  });
});
