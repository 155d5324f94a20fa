import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runStoreContract } from '@larder/core/testing';
import { memcachedMissing, startMemcached } from '../../../test/helpers/servers/memcached.ts';
import type { ServerProcess } from '../../../test/helpers/servers/server-process.ts';
import { createMemcachedStore } from '../src/index.ts';

describe('memcached store', { skip: memcachedMissing }, () => {
  let server: ServerProcess;
  let run = 0;
  before(async () => {
    // The contract round-trips a 1 MiB Buffer: room for it plus the frame and the key.
    server = await startMemcached({ maxItemMiB: 2 });
  });
  after(() => server.stop());

  test('declares itself shared by processes and atomic across them', async () => {
    const store = createMemcachedStore({ servers: `127.0.0.1:${server.port}`, prefix: 'caps:' });
    assert.equal(store.capabilities.shared, true);
    assert.equal(store.capabilities.atomic, true);
    await store.close();
  });

  runStoreContract('memcached', ({ now }) => {
    // A fresh prefix per clause: each starts with an empty store on the shared server.
    run += 1;
    return createMemcachedStore({
      servers: `127.0.0.1:${server.port}`,
      prefix: `contract${run}:`,
      maxItemSize: 2 * 1024 * 1024,
      now,
    });
  });
});
