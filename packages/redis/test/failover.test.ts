import assert from 'node:assert/strict';
import { after, describe, it, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import {
  redisSkip,
  startRedisCluster,
  startRedisSentinel,
} from '../../../test/helpers/servers/redis.ts';
import { createRedisStore } from '../src/redis-store.ts';
import { buildStoreApp, type StoreApp } from './fixtures/app.ts';
import { listen, load, type Outcome, until } from './fixtures/load.ts';

const PATHS = Array.from({ length: 60 }, (_, i) => `/page/s${i % 6}/${i}`);
const bodyOf = (path: string) => `page ${path.slice('/page/'.length)}`;

function assertAllServed(outcomes: readonly Outcome[]): void {
  const wrong = outcomes.filter((o) => o.status !== 200 || o.body !== bodyOf(o.path));
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of ${outcomes.length} requests failed`);
}

/** Resolves once every path in `paths` is a hit on a second request (handler calls counted). */
function cachingResumes(url: string, app: StoreApp, paths: readonly string[]): Promise<void> {
  return until(
    async () => {
      for (const path of paths) {
        await fetch(url + path).then((r) => r.text());
        const before = app.calls.get(path) ?? 0;
        await fetch(url + path).then((r) => r.text());
        if (app.calls.get(path) !== before) return false;
      }
      return true;
    },
    15_000,
    'caching resumes on every path',
  );
}

async function serve(app: StoreApp) {
  const { url, server } = await listen(app.app);
  after(() => server.close());
  return url;
}

if (redisSkip !== undefined) {
  test('redis failover', { skip: redisSkip }, () => {});
} else {
  describe('failover under load', () => {
    it('keeps every request succeeding when a Cluster master dies, and caches again once its replica takes over', async () => {
      const nodes = await startRedisCluster();
      const cluster = new Cluster([...nodes.startupNodes]);
      cluster.on('error', () => {});
      after(async () => {
        cluster.disconnect();
        await nodes.stop();
      });
      const app = buildStoreApp(createRedisStore({ client: cluster, prefix: 'failover:' }));
      const url = await serve(app);
      const outcomes = await load(url, PATHS, 2000, 12, async (done) => {
        if (done === 300) await nodes.nodes[0]?.process.kill();
      });
      assertAllServed(outcomes);
      await nodes.waitHealthy();
      await cachingResumes(url, app, PATHS.slice(0, 20));
    });

    it('loses no request when Sentinel fails the master over to its replica', async () => {
      const sentinel = await startRedisSentinel();
      const client = new Redis({ sentinels: [...sentinel.sentinels], name: sentinel.masterName });
      client.on('error', () => {});
      after(async () => {
        client.disconnect();
        await sentinel.stop();
      });
      const app = buildStoreApp(createRedisStore({ client, prefix: 'sentinel:' }));
      const url = await serve(app);
      const outcomes = await load(url, PATHS, 2000, 12, async (done) => {
        if (done === 300) await sentinel.master.process.kill();
      });
      assertAllServed(outcomes);
      await cachingResumes(url, app, PATHS.slice(0, 20));
      const role = sentinel.replica.cli('ROLE').split('\n')[0];
      assert.equal(role, 'master', 'the replica was promoted');
    });
  });
}
