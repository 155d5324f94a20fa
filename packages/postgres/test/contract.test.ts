import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runStoreContract } from '@larder/core/testing';
import pg from 'pg';
import {
  type PostgresServer,
  postgresMissing,
  startPostgres,
} from '../../../test/helpers/servers/postgres.ts';
import { createPostgresStore } from '../src/index.ts';

const missing = postgresMissing();

if (missing !== undefined) {
  test('postgres store contract', { skip: missing }, () => {});
} else {
  let server: PostgresServer;
  let pool: pg.Pool;
  let tables = 0;
  before(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.connectionString, max: 20 });
    pool.on('error', () => {}); // idle connections end with the server
  });
  after(async () => {
    await pool.end();
    await server.destroy();
  });

  // A fresh table per clause: each clause starts from an empty store, and the table is created
  // by the store on first use, as in production.
  test('declares itself shared by processes and atomic across them', async () => {
    const store = createPostgresStore({ client: pool, table: 'contract_capabilities' });
    assert.equal(store.capabilities.shared, true);
    assert.equal(store.capabilities.atomic, true);
    await store.close();
  });

  runStoreContract('postgres', ({ now }) =>
    createPostgresStore({ client: pool, table: `contract_${tables++}`, now, timeout: '5s' }),
  );
}
