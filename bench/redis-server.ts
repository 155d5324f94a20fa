// One contender of the Redis benchmark, as its own process: an Express or Koa app whose
// responseCache uses the store named on the command line, or apicache over the same Redis. It
// prints "ready <port>" once listening.
//
// Run by redis.ts: node --conditions=@larder/source --import tsx redis-server.ts <contender> <redis-url>

import { createMemoryStore, type Store } from '@larder/core';
import { responseCache as expressCache } from '@larder/express';
import { responseCache as koaCache } from '@larder/koa';
import { createRedisStore } from '@larder/redis';
import apicache from 'apicache';
import express from 'express';
import { Redis } from 'ioredis';
import Koa from 'koa';
import { BODY, work } from './http/payload.mjs';

const [contender = 'express-memory', url = ''] = process.argv.slice(2);
const [framework, backend] = contender.split(/-(.*)/s) as [string, string];

const stores: Record<string, () => Store> = {
  memory: () => createMemoryStore(),
  redis: () => createRedisStore({ url, prefix: `bench-${contender}:` }),
  'redis-near': () => createRedisStore({ url, prefix: `bench-${contender}:`, nearCache: true }),
};

let calls = 0;

let server: import('node:http').Server;
if (framework === 'koa') {
  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.path === '/__calls') ctx.body = String(calls);
    else await next();
  });
  const make = stores[backend];
  if (make === undefined) throw new Error(`unknown contender ${contender}`);
  app.use(koaCache({ store: make(), ttl: 3600 }));
  app.use((ctx) => {
    calls += 1;
    work();
    ctx.type = 'json';
    ctx.body = BODY;
  });
  server = app.listen(0, '127.0.0.1', ready);
} else {
  const app = express();
  app.get('/__calls', (_req, res) => {
    res.send(String(calls));
  });
  if (backend === 'apicache-redis') {
    const client = new Redis(url);
    // apicache reads node-redis 3's `connected` flag; ioredis calls it `status`.
    Object.defineProperty(client, 'connected', { get: () => client.status === 'ready' });
    app.use(apicache.options({ redisClient: client }).middleware('1 hour'));
  } else {
    const make = stores[backend];
    if (make === undefined) throw new Error(`unknown contender ${contender}`);
    app.use(expressCache({ store: make(), ttl: 3600 }));
  }
  app.get('/item', (_req, res) => {
    calls += 1;
    work();
    res.type('json').send(BODY);
  });
  server = app.listen(0, '127.0.0.1', ready);
}

function ready() {
  const address = server.address();
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
}
