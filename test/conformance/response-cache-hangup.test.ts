/**
 * The first client of a cold page hangs up while the handler runs: the fill carries on, the
 * handler's response is stored, and the requests coalesced on it are answered from it.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { createMemoryStore } from '@larder/core';
import { responseCache as expressCache } from '@larder/express';
import { responseCache as koaCache } from '@larder/koa';
import express from 'express';
import Koa from 'koa';
import { rawRequest } from '../helpers/raw-request.ts';
import { until } from '../helpers/response-cache-matrix.ts';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

interface GatedApp {
  readonly server: Server;
  calls(): number;
  /** Responses closed before the handler answered them (the client hung up). */
  closedEarly(): number;
  open(): void;
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const PAGE = 'the slow page\n'.repeat(100);

function expressApp(): GatedApp {
  let calls = 0;
  let closed = 0;
  const g = gate();
  const app = express();
  app.use(expressCache({ store: createMemoryStore() }));
  app.get('/slow', async (_req, res) => {
    calls++;
    res.on('close', () => {
      if (!res.writableFinished) closed++;
    });
    await g.opened;
    res.type('text').send(PAGE);
  });
  return { server: createServer(app), calls: () => calls, closedEarly: () => closed, open: g.open };
}

function koaApp(): GatedApp {
  let calls = 0;
  let closed = 0;
  const g = gate();
  const app = new Koa();
  app.use(koaCache({ store: createMemoryStore() }));
  app.use(async (ctx) => {
    calls++;
    ctx.res.on('close', () => {
      if (!ctx.res.writableFinished) closed++;
    });
    await g.opened;
    ctx.type = 'text';
    ctx.body = PAGE;
  });
  const server = createServer(app.callback());
  return { server, calls: () => calls, closedEarly: () => closed, open: g.open };
}

for (const [name, build] of [
  ['express', expressApp],
  ['koa', koaApp],
] as const) {
  describe(`responseCache when the first client hangs up [${name}]`, () => {
    it('completes the fill: 50 coalesced waiters get the page from one handler run', async () => {
      const app = build();
      servers.push(app.server);
      let received = 0;
      app.server.on('request', () => {
        received++;
      });
      await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
      const { port } = app.server.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}`;
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(`GET /slow HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      await until(() => app.calls() === 1);
      socket.destroy();
      await until(() => app.closedEarly() === 1);
      const waiters = Array.from({ length: 50 }, () => rawRequest(url, '/slow'));
      await until(() => received === 51);
      await new Promise((resolve) => setTimeout(resolve, 20));
      app.open();
      const replies = await Promise.all(waiters);
      for (const reply of replies) {
        assert.equal(reply.status, 200);
        assert.equal(reply.body.toString(), PAGE);
      }
      assert.equal(app.calls(), 1, 'the handler ran once, for the client that hung up');
      const next = await rawRequest(url, '/slow');
      assert.equal(next.headers['x-cache'], 'HIT', 'and its response was stored');
      assert.equal(app.calls(), 1);
    });
  });
}
