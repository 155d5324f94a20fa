/**
 * A page rendered from the request's session (no Set-Cookie on it, no Cache-Control, no Vary) is
 * never shared: with the real express-session and koa-session before `responseCache()`, a
 * signed-in user's requests carry the session cookie, so they are neither served from nor stored
 * in the cache, while anonymous visitors still share one entry.
 */
import assert from 'node:assert/strict';
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

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface SessionSite {
  readonly url: string;
  calls(): number;
}

/** `/login` signs the visitor in as alice; `/home` greets the session's user, or a guest. */
async function expressSite(): Promise<SessionSite> {
  let calls = 0;
  const app = express();
  app.use(session({ secret: 'larder test', resave: false, saveUninitialized: false }));
  app.use(expressCache({ store: createMemoryStore() }));
  app.get('/login', (req, res) => {
    (req.session as unknown as { user?: string }).user = 'alice';
    res.send('signed in');
  });
  app.get('/home', (req, res) => {
    const user = (req.session as unknown as { user?: string }).user ?? 'guest';
    res.send(`hello ${user} ${++calls}`);
  });
  return { url: await listen(createServer(app)), calls: () => calls };
}

async function koaSite(): Promise<SessionSite> {
  let calls = 0;
  const app = new Koa();
  app.keys = ['larder test'];
  app.use(koaSession({}, app));
  app.use(koaCache({ store: createMemoryStore() }));
  app.use((ctx) => {
    const s = ctx.session as { user?: string } | null;
    if (ctx.path === '/login' && s) {
      s.user = 'alice';
      ctx.body = 'signed in';
    } else if (ctx.path === '/home') ctx.body = `hello ${s?.user ?? 'guest'} ${++calls}`;
  });
  return { url: await listen(createServer(app.callback())), calls: () => calls };
}

/** The `name=value` pairs of a response's Set-Cookie lines, as a Cookie header. */
function cookieOf(setCookie: string | string[] | undefined): string {
  const lines = Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie];
  return lines.map((line) => line.split(';')[0]).join('; ');
}

for (const [name, build] of [
  ['express-session', expressSite],
  ['koa-session', koaSite],
] as const) {
  describe(`a session page behind ${name}`, () => {
    it('is never served to or stored from a signed-in user, while guests share one entry', async () => {
      const site = await build();
      const guest = await rawRequest(site.url, '/home');
      assert.equal(guest.body.toString(), 'hello guest 1');
      const login = await rawRequest(site.url, '/login');
      const cookie = cookieOf(login.headers['set-cookie']);
      assert.ok(cookie.length > 0, 'the session middleware set its cookie');
      const alice = await rawRequest(site.url, '/home', { cookie });
      assert.equal(alice.body.toString(), 'hello alice 2');
      assert.equal(alice.headers['x-cache'], 'BYPASS');
      const again = await rawRequest(site.url, '/home');
      assert.equal(again.body.toString(), 'hello guest 1');
      assert.equal(again.headers['x-cache'], 'HIT');
      const aliceAgain = await rawRequest(site.url, '/home', { cookie });
      assert.equal(aliceAgain.body.toString(), 'hello alice 3');
      assert.equal(site.calls(), 3);
    });
  });
}
