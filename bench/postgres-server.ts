// One contender of the PostgreSQL benchmark, as its own process: an Express app whose
// responseCache uses the store named on the command line. It prints "ready <port>" once listening.
//
// Run by postgres.ts: node --conditions=@larder/source --import tsx postgres-server.ts <contender> <pg-url>

import KeyvPostgres from '@keyv/postgres';
import { createMemoryStore, type Store } from '@larder/core';
import { responseCache } from '@larder/express';
import { createPostgresStore } from '@larder/postgres';
import express from 'express';
import Keyv from 'keyv';
import { BODY, work } from './http/payload.mjs';

const [contender = 'memory', url = ''] = process.argv.slice(2);

/**
 * keyv behind Larder's Store interface, the one call every contender gets. Its key column is
 * text, which rejects the NUL bytes in Larder's response-cache keys: keys go in as base64url.
 */
function keyvStore(): Store {
  const keyv = new Keyv({
    store: new KeyvPostgres({ uri: url, table: 'keyv_bench', keySize: 1024, max: 10 }),
  });
  keyv.on('error', () => {});
  const safe = (key: string) => Buffer.from(key).toString('base64url');
  return {
    name: 'keyv-postgres',
    capabilities: { shared: true, serializes: true },
    get: (key) => keyv.get(safe(key)),
    set: async (key, value, ttl) => {
      await keyv.set(
        safe(key),
        value,
        ttl === undefined || ttl === Infinity ? undefined : ttl * 1000,
      );
    },
    delete: (key) => keyv.delete(safe(key)),
  };
}

const stores: Record<string, () => Store> = {
  memory: () => createMemoryStore(),
  postgres: () => createPostgresStore({ connectionString: url, table: 'larder_bench' }),
  'postgres-near': () =>
    createPostgresStore({ connectionString: url, table: 'larder_bench_near', nearCache: true }),
  'keyv-postgres': keyvStore,
};

const make = stores[contender];
if (make === undefined) throw new Error(`unknown contender ${contender}`);
let calls = 0;
const app = express();
app.get('/__calls', (_req, res) => {
  res.send(String(calls));
});
app.use(responseCache({ store: make(), ttl: 3600 }));
app.get('/item', (_req, res) => {
  calls += 1;
  work();
  res.type('json').send(BODY);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`);
});
