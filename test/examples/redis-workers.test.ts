import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { after, before, describe, it, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { type RedisServer, redisSkip, startRedis } from '../helpers/servers/redis.ts';
import { freePort } from '../helpers/servers/server-process.ts';

const SERVER = fileURLToPath(new URL('../../examples/redis-workers/server.ts', import.meta.url));

interface Answer {
  status: number;
  renderedBy: string;
  body: string;
}

/** One request on a fresh connection, so node:cluster hands it to the next worker in turn. */
function send(port: number, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'text/plain' };
    const req = request({ port, host: '127.0.0.1', method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          renderedBy: String(res.headers['x-rendered-by']),
          body: text,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

if (redisSkip !== undefined) {
  test('examples/redis-workers', { skip: redisSkip }, () => {});
} else {
  describe('examples/redis-workers', () => {
    let redis: RedisServer;
    let client: Redis;
    let server: ChildProcess;
    let port: number;
    const renders = async () => Number((await client.get('shop-db:renders')) ?? 0);
    /** Requests each worker served since the last call. */
    const served = async () => {
      const counts = await client.hgetall('shop-db:served');
      await client.del('shop-db:served');
      return counts;
    };

    before(async () => {
      redis = await startRedis();
      client = new Redis(redis.url);
      port = await freePort();
      server = spawn(process.execPath, ['--conditions=@larder/source', '--import', 'tsx', SERVER], {
        env: { ...process.env, PORT: String(port), REDIS_URL: redis.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await once(server.stdout!, 'data');
    });
    after(async () => {
      server.kill('SIGTERM');
      await once(server, 'exit');
      client.disconnect();
      await redis.stop();
    });

    it('renders a product once for both workers', async () => {
      const answers: Answer[] = [];
      for (let i = 0; i < 10; i++) answers.push(await send(port, 'GET', '/products/1'));
      assert.ok(answers.every((a) => a.status === 200 && a.body.includes('Price: 10.00')));
      const counts = await served();
      assert.ok(
        Number(counts['worker-1']) > 0 && Number(counts['worker-2']) > 0,
        JSON.stringify(counts),
      );
      assert.equal(await renders(), 1, 'one render served both workers');
      assert.equal(new Set(answers.map((a) => a.renderedBy)).size, 1);
    });

    it('shows a new price in both workers after one of them changes it', async () => {
      const before = await renders();
      assert.equal((await send(port, 'PUT', '/products/1/price', '12.50')).status, 204);
      const answers: Answer[] = [];
      for (let i = 0; i < 10; i++) answers.push(await send(port, 'GET', '/products/1'));
      assert.ok(
        answers.every((a) => a.body.includes('Price: 12.50')),
        answers.map((a) => a.body).join('\n'),
      );
      const counts = await served();
      assert.ok(
        Number(counts['worker-1']) > 0 && Number(counts['worker-2']) > 0,
        JSON.stringify(counts),
      );
      assert.equal(await renders(), before + 1);
    });
  });
}
