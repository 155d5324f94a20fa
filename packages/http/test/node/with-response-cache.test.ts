import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { cacheTags, withResponseCache } from '@larder/http/node';
import request from 'supertest';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

/** A server listening on 127.0.0.1 (one port, so one Host header for every request). */
async function serve(listener: RequestListener): Promise<Server> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('withResponseCache (plain node:http)', () => {
  it('throws a TypeError at setup when the handler is not a function or an option is unknown', () => {
    assert.throws(() => withResponseCache(undefined as never), {
      name: 'TypeError',
      message: /withResponseCache\(handler, options\): handler must be a function/,
    });
    assert.throws(() => withResponseCache(() => {}, { tll: 30 } as never), {
      name: 'TypeError',
      message: /tll/,
    });
  });

  it('answers 500 when the handler throws, stores nothing, and runs the handler again next time', async () => {
    let calls = 0;
    const app = withResponseCache(() => {
      calls++;
      throw new Error('boom');
    });
    const server = await serve(app);
    await request(server).get('/x').expect(500);
    await request(server).get('/x').expect(500);
    assert.equal(calls, 2);
    assert.equal(app.stats().stored, 0);
  });

  it('answers 500 when an async handler rejects before writing', async () => {
    const app = withResponseCache(async () => {
      throw new Error('later');
    });
    await request(await serve(app))
      .get('/y')
      .expect(500);
  });

  it('serves hits without running the handler, and the tags the handler set invalidate them', async () => {
    let calls = 0;
    const app = withResponseCache((_req, res) => {
      calls++;
      cacheTags(res, 'news');
      res.setHeader('content-type', 'text/plain');
      res.end(`call ${calls}`);
    });
    const server = await serve(app);
    await request(server).get('/news').expect('call 1');
    const hit = await request(server).get('/news').expect('call 1');
    assert.equal(hit.headers['x-cache'], 'HIT');
    await app.invalidateTags(['news']);
    await request(server).get('/news').expect('call 2');
    assert.equal(calls, 2);
  });

  it('shares the default memory store between the nested listeners of one server', async () => {
    let calls = 0;
    const route = withResponseCache((_req, res: ServerResponse) => {
      calls++;
      res.end(`call ${calls}`);
    });
    const app = withResponseCache((req, res) => route(req, res), { query: false });
    const server = await serve(app);
    await request(server).get('/page').expect('call 1');
    await request(server).get('/page').expect('call 1');
    // The app-wide listener reaches the entry the route-level one made.
    await app.invalidatePath('/page');
    await request(server).get('/page').expect('call 2');
    assert.equal(route.stats().misses + app.stats().misses, 2);
  });

  it('lets the helpers do nothing on a response no fill is running for', async () => {
    const app = withResponseCache((_req, res) => {
      cacheTags(res, 'x');
      res.end('ok');
    });
    const res = await request(await serve(app))
      .post('/z')
      .expect(200, 'ok');
    assert.equal(res.headers['x-cache'], 'BYPASS');
  });
});
