/**
 * Session middleware mounted before `responseCache()` adds its cookie late: express-session when
 * the head is written (an on-headers hook), koa-session after the cache middleware returned. The
 * cache must decide on the headers actually written, and release the requests coalesced on a fill
 * only after that decision.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createMemoryStore } from '@larder/core';
import { responseCache as expressCache } from '@larder/express';
import { responseCache as koaCache } from '@larder/koa';
import express from 'express';
import session from 'express-session';
import Koa from 'koa';
import koaSession from 'koa-session';
import { rawRequest } from '../helpers/raw-request.ts';
import { until } from '../helpers/response-cache-matrix.ts';

interface SessionApp {
  readonly url: string;
  calls(): number;
  /** Lets the handlers waiting on the gate answer. */
  open(): void;
  /** Handler calls waiting on the gate. */
  waiting(): number;
  /** Requests the server received. */
  requests(): number;
}

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The page a session app renders: the session's CSRF token, made on the first visit. */
function form(token: string): string {
  return `<form><input type="hidden" name="csrf" value="${token}"></form>`;
}

let received = 0;

async function listening(server: Server): Promise<string> {
  servers.push(server);
  received = 0;
  server.on('request', () => {
    received++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function expressApp(gated: boolean): Promise<SessionApp> {
  let calls = 0;
  let waiting = 0;
  const g = gate();
  const app = express();
  app.use(session({ secret: 'larder test', resave: false, saveUninitialized: true }));
  app.use(expressCache({ store: createMemoryStore() }));
  app.get('/form', async (req, res) => {
    calls++;
    if (gated) {
      waiting++;
      await g.opened;
    }
    const s = req.session as unknown as { csrf?: string };
    s.csrf ??= randomUUID();
    res.type('html').send(form(s.csrf));
  });
  const url = await listening(createServer(app));
  return {
    url,
    calls: () => calls,
    open: g.open,
    waiting: () => waiting,
    requests: () => received,
  };
}

async function koaApp(gated: boolean): Promise<SessionApp> {
  let calls = 0;
  let waiting = 0;
  const g = gate();
  const app = new Koa();
  app.keys = ['larder test'];
  app.use(koaSession({ signed: true }, app));
  app.use(koaCache({ store: createMemoryStore() }));
  app.use(async (ctx) => {
    calls++;
    if (gated) {
      waiting++;
      await g.opened;
    }
    const s = ctx.session as unknown as { csrf?: string };
    s.csrf ??= randomUUID();
    ctx.type = 'html';
    ctx.body = form(s.csrf);
  });
  const url = await listening(createServer(app.callback()));
  return {
    url,
    calls: () => calls,
    open: g.open,
    waiting: () => waiting,
    requests: () => received,
  };
}

/**
 * An app whose page touches the session only from the second render on (so the first response
 * carries no cookie and is stored): a background refresh then meets a late session cookie.
 */
async function refreshApp(name: 'express' | 'koa', now: () => number) {
  let calls = 0;
  const options = { store: createMemoryStore(), ttl: 10, staleWhileRevalidate: 60, now };
  if (name === 'express') {
    const app = express();
    app.use(session({ secret: 'larder test', resave: false, saveUninitialized: false }));
    app.use(expressCache(options));
    app.get('/page', (req, res) => {
      calls++;
      if (calls > 1) (req.session as unknown as { seen?: boolean }).seen = true;
      res.type('text').send(`render ${calls}`);
    });
    return { url: await listening(createServer(app)), calls: () => calls };
  }
  const app = new Koa();
  app.keys = ['larder test'];
  app.use(koaSession({ signed: true }, app));
  app.use(koaCache(options));
  app.use((ctx) => {
    calls++;
    if (calls > 1) (ctx.session as unknown as { seen?: boolean }).seen = true;
    ctx.type = 'text';
    ctx.body = `render ${calls}`;
  });
  return { url: await listening(createServer(app.callback())), calls: () => calls };
}

function tokenOf(body: string): string {
  const match = /value="([^"]+)"/.exec(body);
  assert.ok(match, `no token in ${body}`);
  return match[1] as string;
}

for (const [name, build] of [
  ['express-session', expressApp],
  ['koa-session', koaApp],
] as const) {
  describe(`responseCache behind ${name} (mounted before the cache)`, () => {
    it("never stores user A's page that carries A's session cookie, nor serves it to B", async () => {
      const app = await build(false);
      const a = await rawRequest(app.url, '/form');
      assert.equal(a.status, 200);
      assert.ok(a.headers['set-cookie'], 'the session sets its cookie on the first visit');
      assert.equal(a.headers['x-cache'], 'BYPASS', 'the status headers say not stored');
      assert.match(String(a.headers['cache-status']), /fwd=uri-miss; detail=set-cookie$/);
      const b = await rawRequest(app.url, '/form');
      assert.equal(app.calls(), 2, 'B ran the handler: nothing was stored');
      assert.notEqual(
        tokenOf(b.body.toString()),
        tokenOf(a.body.toString()),
        "B never gets A's token",
      );
      assert.notEqual(b.headers['set-cookie'], a.headers['set-cookie']);
    });

    it("releases waiters coalesced on A's fill only after the late cookie refused it: none gets A's page", async () => {
      const app = await build(true);
      const first = rawRequest(app.url, '/form');
      await until(() => app.waiting() === 1);
      const others = Array.from({ length: 5 }, () => rawRequest(app.url, '/form'));
      // The waiters reach the cache and wait on A's fill; none runs the handler yet.
      await until(() => app.requests() === 6);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(app.calls(), 1, 'the waiters coalesced on the first fill');
      app.open();
      const a = await first;
      const rest = await Promise.all(others);
      const tokenA = tokenOf(a.body.toString());
      const tokens = rest.map((r) => tokenOf(r.body.toString()));
      assert.ok(!tokens.includes(tokenA), "no waiter received A's page");
      assert.equal(new Set(tokens).size, tokens.length, 'each waiter got a page of its own');
      assert.equal(app.calls(), 6, 'each waiter ran the handler for itself');
      for (const r of rest) assert.ok(r.headers['set-cookie'], 'with a cookie of its own');
    });
  });
}

for (const name of ['express', 'koa'] as const) {
  it(`keeps a background refresh whose response got a late session cookie out of the cache [${name}]`, async () => {
    let time = Date.UTC(2026, 0, 1);
    const app = await refreshApp(name, () => time);
    const first = await rawRequest(app.url, '/page');
    assert.equal(first.headers['x-cache'], 'MISS');
    assert.equal(first.headers['set-cookie'], undefined);
    time += 15_000;
    const stale = await rawRequest(app.url, '/page');
    assert.equal(stale.headers['x-cache'], 'STALE');
    assert.equal(stale.body.toString(), 'render 1');
    await until(() => app.calls() === 2);
    // The refresh's response carried the session's cookie: the stale entry stays, and the next
    // request starts another refresh rather than receiving a page made for the refresh's session.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = await rawRequest(app.url, '/page');
    assert.equal(after.body.toString(), 'render 1');
    assert.equal(after.headers['set-cookie'], undefined);
    assert.equal(after.headers['x-cache'], 'STALE');
  });
}
