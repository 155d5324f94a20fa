import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore } from '@larder/core';
import Koa from 'koa';
import supertest from 'supertest';
import { responseCache } from '../src/index.ts';

/**
 * supertest on a bare handler listens on a new port for each request, and the key holds the host
 * with its port: a fixed Host keeps a test's requests on one key.
 */
function request(handler: Parameters<typeof supertest>[0]) {
  const agent = supertest(handler);
  return {
    get: (path: string) => agent.get(path).set('Host', 'app.test'),
    head: (path: string) => agent.head(path).set('Host', 'app.test'),
  };
}

function app(body: () => unknown, options: { maxBodySize?: number } = {}) {
  let calls = 0;
  const koa = new Koa();
  koa.silent = true;
  koa.use(responseCache({ store: createMemoryStore(), ...options }));
  koa.use((ctx) => {
    calls++;
    ctx.body = body();
  });
  return { server: koa.callback(), calls: () => calls };
}

function bytes(req: supertest.Test) {
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));

function webStream(data: Buffer, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      controller.enqueue(new Uint8Array(data.subarray(offset, offset + chunk)));
      offset += chunk;
    },
  });
}

describe('Koa responseCache body capture', () => {
  for (const [name, make] of [
    ['a Blob', () => new Blob([payload], { type: 'application/octet-stream' })],
    ['a web ReadableStream', () => webStream(payload)],
    ['a fetch Response', () => new Response(payload, { headers: { 'x-from': 'response' } })],
  ] as const) {
    it(`replays ${name} body byte for byte`, async () => {
      const a = app(make);
      const miss = await bytes(request(a.server).get('/')).expect(200);
      const hit = await bytes(request(a.server).get('/')).expect(200);
      assert.deepEqual(miss.body, payload);
      assert.deepEqual(hit.body, payload);
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.equal(a.calls(), 1);
    });
  }

  it('sends a web stream past maxBodySize whole, without storing it', async () => {
    const big = Buffer.alloc(3 * 64 * 1024, 7);
    const a = app(() => webStream(big), { maxBodySize: 100_000 });
    for (let i = 0; i < 2; i++) {
      const res = await bytes(request(a.server).get('/')).expect(200);
      assert.equal(res.body.length, big.length);
      assert.equal(res.headers['x-cache'], 'BYPASS');
    }
    assert.equal(a.calls(), 2);
  });

  it('keeps the status text Koa writes for a response without a body', async () => {
    const koa = new Koa();
    koa.use(responseCache({ store: createMemoryStore() }));
    koa.use((ctx) => {
      ctx.status = 404;
    });
    const res = await request(koa.callback()).get('/nothing').expect(404, 'Not Found');
    assert.equal(res.headers['x-cache'], 'BYPASS');
  });

  it('leaves alone a response the handler wrote to ctx.res itself', async () => {
    let calls = 0;
    const koa = new Koa();
    koa.use(responseCache({ store: createMemoryStore() }));
    koa.use((ctx) => {
      calls++;
      ctx.respond = false;
      ctx.res.writeHead(200, { 'content-type': 'text/plain' });
      ctx.res.end('raw');
    });
    await request(koa.callback()).get('/raw').expect(200, 'raw');
    await request(koa.callback()).get('/raw').expect(200, 'raw');
    assert.equal(calls, 2);
  });

  it('lets an error through unchanged when no stale entry exists', async () => {
    const koa = new Koa();
    koa.silent = true;
    koa.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.status = 418;
        ctx.body = `caught ${(error as Error).message}`;
      }
    });
    koa.use(responseCache({ store: createMemoryStore() }));
    koa.use(() => {
      throw new Error('teapot');
    });
    await request(koa.callback()).get('/').expect(418, 'caught teapot');
  });

  it('keeps the default stores of two apps apart, even for one middleware instance mounted in both', async () => {
    const shared = responseCache();
    const [publicApp, adminApp] = ['public', 'admin'].map((name) => {
      const koa = new Koa();
      koa.use(shared);
      koa.use((ctx) => {
        ctx.body = `${name} page`;
      });
      return koa.callback();
    });
    const path = `/same-${Date.now()}`;
    assert.ok(publicApp && adminApp);
    for (let round = 0; round < 2; round++) {
      await request(publicApp).get(path).expect('public page');
      await request(adminApp).get(path).expect('admin page');
    }
    assert.equal(shared.stats().hits, 2);
  });
});

describe('Koa responseCache hit written through Koa', () => {
  it('keeps headers and status an earlier middleware set and shows it the reply', async () => {
    let calls = 0;
    const seen: { status: number; body: unknown }[] = [];
    const koa = new Koa();
    koa.use(async (ctx, next) => {
      ctx.set('access-control-allow-origin', '*');
      ctx.status = 418;
      await next();
      seen.push({ status: ctx.status, body: ctx.body });
    });
    koa.use(responseCache({ store: createMemoryStore() }));
    koa.use((ctx) => {
      calls++;
      ctx.status = 200;
      ctx.body = { ok: true };
    });
    await request(koa.callback()).get('/').expect(200);
    const hit = await request(koa.callback()).get('/').expect(200, { ok: true });
    assert.equal(calls, 1);
    assert.equal(hit.headers['x-cache'], 'HIT');
    assert.equal(hit.headers['access-control-allow-origin'], '*');
    assert.equal(hit.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(hit.headers['content-length'], String(Buffer.byteLength('{"ok":true}')));
    assert.equal(seen[1]?.status, 200);
    assert.deepEqual(seen[1]?.body, Buffer.from('{"ok":true}'));
  });

  it('answers a HEAD hit with the stored Content-Length and no body', async () => {
    const a = app(() => 'hello head');
    await request(a.server).get('/h').expect(200, 'hello head');
    const head = await request(a.server).head('/h').expect(200);
    assert.equal(head.headers['x-cache'], 'HIT');
    assert.equal(head.headers['content-length'], String('hello head'.length));
    assert.equal(head.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(head.text, undefined);
    assert.equal(a.calls(), 1);
  });
});
