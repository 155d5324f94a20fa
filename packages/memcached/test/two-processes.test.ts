import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { memcachedMissing, startMemcached } from '../../../test/helpers/servers/memcached.ts';
import type { ServerProcess } from '../../../test/helpers/servers/server-process.ts';

const APP = fileURLToPath(new URL('./fixtures/shared-app.ts', import.meta.url));
const FACADE = fileURLToPath(new URL('./fixtures/shared-facade.ts', import.meta.url));
const LOADER = ['--conditions=@larder/source', '--import', 'tsx'];

interface Worker {
  readonly child: ChildProcess;
  readonly port: number;
  readonly agent: Agent;
}

const workers = new Set<ChildProcess>();

function spawnWorker(script: string, env: Record<string, string>): ChildProcess {
  const child = fork(script, [], { execArgv: LOADER, env: { ...process.env, ...env } });
  workers.add(child);
  child.once('exit', () => workers.delete(child));
  return child;
}

function nextMessage<T>(child: ChildProcess, has: string): Promise<T> {
  return new Promise((resolve) => {
    const listen = (message: Record<string, unknown>) => {
      if (!(has in message)) return;
      child.off('message', listen);
      resolve(message as T);
    };
    child.on('message', listen);
  });
}

async function startApp(env: Record<string, string>): Promise<Worker> {
  const child = spawnWorker(APP, env);
  const { port } = await nextMessage<{ port: number }>(child, 'port');
  return { child, port, agent: new Agent({ keepAlive: true, maxSockets: 200 }) };
}

/** GET on a worker with one Host for every process, so that both compute the same cache key. */
function get(worker: Worker, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: worker.port,
        path,
        agent: worker.agent,
        headers: { host: 'shop.test' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function computed(worker: Worker): Promise<number> {
  return (JSON.parse((await get(worker, '/computed')).body) as { computed: number }).computed;
}

function stop(worker: Worker | undefined): void {
  worker?.agent.destroy();
  worker?.child.kill('SIGKILL');
}

describe('two processes sharing one memcached', { skip: memcachedMissing, timeout: 60_000 }, () => {
  let server: ServerProcess;
  let prefixes = 0;
  const prefix = () => `p${++prefixes}-${process.pid}:`;
  before(async () => {
    server = await startMemcached();
  });
  after(async () => {
    for (const child of workers) child.kill('SIGKILL');
    await server.stop();
  });

  test('200 concurrent cold requests split across two Express apps run the handler at most twice', async () => {
    const env = { MEMCACHED_PORT: String(server.port), PREFIX: prefix() };
    const [a, b] = await Promise.all([startApp(env), startApp(env)]);
    try {
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) => get(i % 2 === 0 ? a : b, '/report/q3')),
      );
      assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
      assert.equal(new Set(replies.map((r) => r.body)).size, 1, 'every client got one body');
      const runs = (await computed(a)) + (await computed(b));
      assert.ok(runs >= 1 && runs <= 2, `handler runs across both processes: ${runs}`);
    } finally {
      stop(a);
      stop(b);
    }
  });

  test('requests reaching the second app while the first computes wait for its entry and run no handler', async () => {
    const env = { MEMCACHED_PORT: String(server.port), PREFIX: prefix() };
    const [a, b] = await Promise.all([startApp(env), startApp(env)]);
    try {
      const computing = nextMessage(a.child, 'computing');
      const first = get(a, '/report/w1');
      await computing;
      const replies = await Promise.all(Array.from({ length: 50 }, () => get(b, '/report/w1')));
      const body = `report w1 by ${a.child.pid}`;
      assert.deepEqual((await first).body, body);
      for (const reply of replies) assert.deepEqual(reply, { status: 200, body });
      assert.equal(await computed(b), 0, 'handler runs in the second process');
      assert.equal(await computed(a), 1, 'handler runs in the first process');
    } finally {
      stop(a);
      stop(b);
    }
  });

  test('200 concurrent cold cache.wrap calls split across two processes compute at most twice', async () => {
    const env = { MEMCACHED_PORT: String(server.port), PREFIX: prefix() };
    const facades = [spawnWorker(FACADE, env), spawnWorker(FACADE, env)];
    try {
      await Promise.all(facades.map((f) => nextMessage(f, 'ready')));
      const answers = await Promise.all(
        facades.map((f) => {
          const answer = nextMessage<{ computed: number; values: string[] }>(f, 'computed');
          f.send({ key: 'sidebar:7', callers: 100 });
          return answer;
        }),
      );
      const values = answers.flatMap((a) => a.values);
      assert.equal(values.length, 200);
      assert.equal(new Set(values).size, 1, 'every caller got one value');
      const runs = answers.reduce((sum, a) => sum + a.computed, 0);
      assert.ok(runs >= 1 && runs <= 2, `computations across both processes: ${runs}`);
    } finally {
      for (const f of facades) f.kill('SIGKILL');
    }
  });

  test('when the lock holder dies mid-compute, the other process computes after the deadline', async () => {
    const env = { MEMCACHED_PORT: String(server.port), PREFIX: prefix(), COALESCE: '1s' };
    const [holder, waiter] = await Promise.all([startApp({ ...env, HANG: '1' }), startApp(env)]);
    try {
      const computing = nextMessage(holder.child, 'computing');
      get(holder, '/report/dead').catch(() => {});
      await computing;
      const waiting = Array.from({ length: 20 }, () => get(waiter, '/report/dead'));
      // Killed while it holds the lock: nobody releases it.
      holder.child.kill('SIGKILL');
      const replies = await Promise.all(waiting);
      assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
      for (const reply of replies) assert.equal(reply.body, `report dead by ${waiter.child.pid}`);
      const runs = await computed(waiter);
      assert.ok(runs >= 1 && runs <= 2, `handler runs in the surviving process: ${runs}`);
    } finally {
      stop(holder);
      stop(waiter);
    }
  });

  test('when the facade process holding the lock dies mid-compute, the other computes after the 10 s deadline', async () => {
    const env = { MEMCACHED_PORT: String(server.port), PREFIX: prefix() };
    const [holder, waiter] = [spawnWorker(FACADE, env), spawnWorker(FACADE, env)];
    try {
      await Promise.all([holder, waiter].map((f) => nextMessage(f, 'ready')));
      const computing = nextMessage(holder, 'computing');
      holder.send({ key: 'report:9', callers: 1, hang: true });
      await computing;
      const answer = nextMessage<{ computed: number; values: string[] }>(waiter, 'values');
      waiter.send({ key: 'report:9', callers: 20 });
      holder.kill('SIGKILL');
      const { computed: runs, values } = await answer;
      assert.equal(runs, 1, 'one computation in the surviving process');
      assert.deepEqual(new Set(values), new Set([`value of report:9 by ${waiter.pid}`]));
    } finally {
      holder.kill('SIGKILL');
      waiter.kill('SIGKILL');
    }
  });

  test('with a store without lock, a second process fills at once while the first still computes', async () => {
    // A 60 s deadline: were the second process waiting on the first, the test would time out.
    const env = { MEMCACHED_PORT: String(server.port), PREFIX: prefix(), COALESCE: '60s' };
    const [first, second] = await Promise.all([
      startApp({ ...env, HANG: '1', NO_LOCK: '1' }),
      startApp({ ...env, NO_LOCK: '1' }),
    ]);
    try {
      const computing = nextMessage(first.child, 'computing');
      get(first, '/report/free').catch(() => {});
      await computing;
      const replies = await Promise.all(
        Array.from({ length: 10 }, () => get(second, '/report/free')),
      );
      assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
      assert.equal(await computed(second), 1, 'in-process coalescing still holds');
    } finally {
      stop(first);
      stop(second);
    }
  });
});
