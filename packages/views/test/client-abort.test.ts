import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createCache } from '@larder/core';
import express from 'express';
import Koa from 'koa';
import { Liquid } from 'liquidjs';
import request from 'supertest';
import { liquidCache } from '../src/liquid.ts';

/**
 * A page whose cached block waits on `gate` (a slow query), so a test can hang up while the block
 * is rendering and then let it finish.
 */
function slowPage() {
  const liquid = new Liquid();
  const cache = createCache();
  liquidCache(liquid, { cache });
  let runs = 0;
  let started!: () => void;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  liquid.registerFilter('slow', async (value: string) => {
    runs++;
    started();
    await gate;
    return value;
  });
  const template = liquid.parse(
    "<main>{% cache 'report' %}{{ 'figures' | slow }}{% endcache %}</main>",
  );
  let rendered!: () => void;
  const done = new Promise<void>((resolve) => {
    rendered = resolve;
  });
  const render = async () => {
    const html = await liquid.render(template, {});
    rendered();
    return html;
  };
  return { render, runs: () => runs, running, release, done };
}

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a client that hangs up while a cached block renders', () => {
  for (const framework of ['express', 'koa'] as const) {
    it(`does not stop the block on ${framework}: the fragment is stored and the next page is a hit`, async () => {
      const page = slowPage();
      let url: string;
      if (framework === 'express') {
        const app = express();
        app.get('/', async (_req, res) => {
          res.type('html').send(await page.render());
        });
        url = await listen(app);
      } else {
        const app = new Koa();
        app.silent = true;
        app.use(async (ctx) => {
          ctx.type = 'html';
          ctx.body = await page.render();
        });
        url = await listen(app.callback());
      }
      const hungUp = new Promise<void>((resolve) => {
        const req = httpRequest(`${url}/`);
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.end();
        page.running.then(() => req.destroy());
      });
      await hungUp;
      page.release();
      await page.done;
      const res = await request(url).get('/').expect(200);
      assert.equal(res.text, '<main>figures</main>');
      assert.equal(page.runs(), 1);
    });
  }
});
