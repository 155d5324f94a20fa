import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeEntry } from '@larder/core';
import pg from 'pg';
import {
  type PostgresServer,
  postgresMissing,
  startPostgres,
} from '../../../test/helpers/servers/postgres.ts';
import { createPostgresStore, type PostgresStore } from '../src/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(25);
  }
  assert.fail(`never happened: ${what}`);
}

const connected = (store: PostgresStore) => (store as unknown as { connected: boolean }).connected;

describe('the near cache over LISTEN/NOTIFY', { skip: postgresMissing(), timeout: 60_000 }, () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  let a: PostgresStore;
  let b: PostgresStore;
  before(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.connectionString, max: 5 });
    pool.on('error', () => {});
    // One store on a connection string (its own LISTEN client), one on a pool (a checked-out client).
    a = createPostgresStore({
      connectionString: server.connectionString,
      table: 'near',
      nearCache: { ttl: 60 },
    });
    b = createPostgresStore({ client: pool, table: 'near', nearCache: { ttl: 60 } });
    await a.set('warm', 1);
    await until(() => connected(a) && connected(b), 'both stores listening');
  });
  after(async () => {
    await a.close();
    await b.close();
    await pool.end();
    await server.destroy();
  });

  test('serves repeated reads from process memory, not the table', async () => {
    // Written behind the stores' backs (no NOTIFY that could arrive after the read below).
    const frame = (value: string) => encodeEntry({ key: 'k', expires: Infinity, value });
    await pool.query('INSERT INTO near (key, value, inserted_at) VALUES ($1, $2, 0)', [
      Buffer.from('k'),
      frame('v1'),
    ]);
    assert.equal(await b.get('k'), 'v1');
    // Rewritten behind the stores' backs (no NOTIFY): the tier still answers.
    await pool.query('UPDATE near SET value = $1 WHERE key = $2', [
      encodeEntry({ key: 'k', expires: Infinity, value: 'behind' }),
      Buffer.from('k'),
    ]);
    assert.equal(await b.get('k'), 'v1');
    assert.deepEqual(await b.sweep(), { expired: 0, evicted: 0 }, 'sweep stays on the store');
    assert.match(b.schema, /CREATE UNLOGGED TABLE/);
  });

  test('a write in one process drops the key from the other process tier', async () => {
    await a.set('w', 'first');
    assert.equal(await b.get('w'), 'first');
    await a.set('w', 'second');
    await until(async () => (await b.get('w')) === 'second', 'b sees the new value');
  });

  test('delete, increment and clear(prefix) publish too', async () => {
    await a.set('d', 'x');
    await a.set('p:1', 'x');
    await b.set('n', 1);
    assert.deepEqual([await b.get('d'), await b.get('p:1'), await a.get('n')], ['x', 'x', 1]);
    await a.delete('d');
    await b.increment('n', 2);
    await a.clear('p:');
    await until(async () => (await b.get('d')) === undefined, 'delete crosses');
    await until(async () => (await a.get('n')) === 3, 'increment crosses');
    await until(async () => (await b.get('p:1')) === undefined, 'clear crosses');
  });

  test('is bypassed while the listener is cut off, and used again once it listens anew', async () => {
    await a.set('r', 'before');
    assert.equal(await b.get('r'), 'before');
    server = await server.restart();
    await until(() => connected(a) && connected(b), 'both listening again after the restart');
    // Emptied when cut off: a value written while nobody listened is read from the table.
    await pool.query('UPDATE near SET value = $1 WHERE key = $2', [
      encodeEntry({ key: 'r', expires: Infinity, value: 'after' }),
      Buffer.from('r'),
    ]);
    await until(
      async () => (await b.get('r').catch(() => undefined)) === 'after',
      'b reads the table',
    );
  });
});
