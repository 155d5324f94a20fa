import { after, before, describe } from 'node:test';
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
