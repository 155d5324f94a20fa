import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runStoreContract } from '@larder/core/testing';
import { Cluster, Redis } from 'ioredis';
import { redisSkip, startRedis, startRedisCluster } from '../../../test/helpers/servers/redis.ts';
import { createRedisStore } from '../src/redis-store.ts';

let stores = 0;
const contractOn = (client: Redis | Cluster) => () =>
  runStoreContract('redis', ({ now, onCleanup }) => {
    const store = createRedisStore({ client, prefix: `contract-${++stores}:`, now });
    onCleanup(() => store.clear());
    return store;
  });

if (redisSkip !== undefined) {
  test('redis store contract', { skip: redisSkip }, () => {});
} else {
  const server = await startRedis();
  const client = new Redis(server.url);
  const nodes = await startRedisCluster();
  const cluster = new Cluster([...nodes.startupNodes]);
  after(async () => {
    client.disconnect();
    cluster.disconnect();
    await Promise.all([server.stop(), nodes.stop()]);
  });
  test('declares itself shared by processes and atomic across them', async () => {
    const store = createRedisStore({ client, prefix: 'caps:' });
    assert.equal(store.capabilities.shared, true);
    assert.equal(store.capabilities.atomic, true);
    await store.close();
  });
  describe('on a standalone server', contractOn(client));
  describe('on a Cluster of three masters and three replicas', contractOn(cluster));
}
