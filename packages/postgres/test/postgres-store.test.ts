import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createCache, encodeEntry } from '@larder/core';
import { createTestClock } from '@larder/core/testing';
import pg from 'pg';
import {
  type PostgresServer,
  postgresMissing,
  startPostgres,
} from '../../../test/helpers/servers/postgres.ts';
import { createPostgresStore, type PostgresStoreOptions } from '../src/index.ts';

const missing = postgresMissing();

describe('createPostgresStore against a real PostgreSQL', { skip: missing }, () => {
  let server: PostgresServer;
  let pool: pg.Pool;
  let tables = 0;
  const stores: Array<{ close(): Promise<void> }> = [];
  before(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ connectionString: server.connectionString, max: 20 });
    pool.on('error', () => {}); // idle connections end with the server
  });
  after(async () => {
    for (const store of stores) await store.close();
    await pool.end();
    await server.destroy();
  });
  const fresh = (options: Omit<PostgresStoreOptions, 'client' | 'table'> = {}) => {
    const table = `store_${tables++}`;
    const store = createPostgresStore({ client: pool, table, ...options });
    stores.push(store);
    return { store, table };
  };
  const rowCount = async (table: string) =>
    Number((await pool.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n);

  test('keeps keys with NUL bytes apart and clears by a prefix that contains NUL', async () => {
    const { store } = fresh();
    await store.set('GET\0/a', 'a');
    await store.set('GET\0/a\0x', 'ax');
    await store.set('GET\0/b', 'b');
    await store.set('GET', 'bare');
    assert.equal(await store.get('GET\0/a'), 'a');
    assert.equal(await store.get('GET\0/a\0x'), 'ax');
    await store.clear('GET\0/a');
    assert.deepEqual(await store.getMany(['GET\0/a', 'GET\0/a\0x', 'GET\0/b', 'GET']), [
      undefined,
      undefined,
      'b',
      'bare',
    ]);
  });

  test('clears a prefix ending in the highest code point without touching the next range', async () => {
    const { store } = fresh();
    await store.set('p\u{10ffff}', 1);
    await store.set('p\u{10ffff}z', 2);
    await store.set('q', 3);
    await store.clear('p\u{10ffff}');
    assert.deepEqual(await store.getMany(['p\u{10ffff}', 'p\u{10ffff}z', 'q']), [
      undefined,
      undefined,
      3,
    ]);
  });

  test('stores keys past the btree entry limit: random 10 KB keys stay distinct and clear by prefix', async () => {
    const { store } = fresh();
    const random = (n: number) => randomBytes(n).toString('base64');
    const shared = random(3000);
    const [a, b] = [`${shared}a${random(7000)}`, `${shared}b${random(7000)}`];
    await store.set(a, 'a');
    await store.set(b, 'b');
    await store.set(`${shared.slice(0, 10)}short`, 'short');
    assert.deepEqual(await store.getMany([a, b]), ['a', 'b']);
    assert.equal(await store.increment(`${a}:n`), 1);
    await store.clear(`${shared}a`); // longer than the kept bytes: also takes b, never less
    assert.deepEqual(await store.getMany([a, b, `${shared.slice(0, 10)}short`]), [
      undefined,
      undefined,
      'short',
    ]);
    await store.set(a, 'a');
    await store.clear(shared.slice(0, 10));
    assert.deepEqual(await store.getMany([a, `${shared.slice(0, 10)}short`]), [
      undefined,
      undefined,
    ]);
  });

  describe('reads a row it cannot trust as a miss', () => {
    const cases: Array<[string, (key: string) => Buffer]> = [
      ['foreign bytes', () => Buffer.from('{"value":"from another library"}')],
      [
        'a truncated frame',
        (key) => encodeEntry({ key, expires: Infinity, value: 'x' }).subarray(0, 20),
      ],
      [
        'a frame with a flipped bit',
        (key) => {
          const frame = encodeEntry({ key, expires: Infinity, value: 'payload' });
          frame[frame.length - 1]! ^= 1;
          return frame;
        },
      ],
      [
        'a frame written under another key',
        () => encodeEntry({ key: 'other', expires: Infinity, value: 'x' }),
      ],
    ];
    for (const [label, bytes] of cases) {
      test(`${label}`, async () => {
        const { store, table } = fresh();
        await store.set('k', 'real'); // creates the table
        await pool.query(`UPDATE "${table}" SET value = $1 WHERE key = $2`, [
          bytes('k'),
          Buffer.from('k'),
        ]);
        assert.equal(await store.get('k'), undefined);
        assert.deepEqual(await store.getMany(['k']), [undefined]);
        assert.equal(await store.has('k'), false);
        await store.set('k', 'again');
        assert.equal(await store.get('k'), 'again');
      });
    }
  });

  test('stores integers in the counter column, so a set number can be incremented', async () => {
    const { store, table } = fresh();
    await store.set('n', 41);
    assert.equal(await store.increment('n'), 42);
    const { rows } = await pool.query(`SELECT value, counter FROM "${table}" WHERE key = $1`, [
      Buffer.from('n'),
    ]);
    assert.deepEqual(rows, [{ value: null, counter: '42' }]);
    await store.set('f', 1.5);
    assert.equal(await store.get('f'), 1.5);
    await store.set('z', -0);
    assert.ok(Object.is(await store.get('z'), -0));
  });

  test('rejects increment of a live non-integer value with a TypeError and leaves it alone', async () => {
    const { store } = fresh();
    await store.set('s', 'text');
    await assert.rejects(store.increment('s'), TypeError);
    assert.equal(await store.get('s'), 'text');
  });

  test('restarts an expired counter from delta with the new ttl', async () => {
    const clock = createTestClock();
    const { store } = fresh({ now: clock.now });
    assert.equal(await store.increment('c', 5, 10), 5);
    assert.equal(await store.increment('c', 1, 1000), 6);
    clock.advance(10_001); // the first ttl still rules: a live counter keeps its expiry
    assert.equal(await store.get('c'), undefined);
    assert.equal(await store.increment('c', 2, 10), 2);
  });

  test('50 adds of one key from 5 stores with their own pools: exactly one wins', async () => {
    const table = `store_${tables++}`;
    const pools = Array.from(
      { length: 5 },
      () => new pg.Pool({ connectionString: server.connectionString, max: 10 }),
    );
    const adders = pools.map((client) => createPostgresStore({ client, table, timeout: '10s' }));
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => adders[i % 5]!.add('race', i)),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1);
      assert.equal(await adders[0]!.get('race'), winners[0]);
    } finally {
      for (const adder of adders) await adder.close();
      for (const p of pools) await p.end();
    }
  });

  test('creates the table once when five stores start on it at the same moment', async () => {
    const table = `store_${tables++}`;
    const racers = Array.from({ length: 5 }, () => createPostgresStore({ client: pool, table }));
    await Promise.all(racers.map((store, i) => store.set(`k${i}`, i)));
    assert.equal(await rowCount(table), 5);
    for (const store of racers) await store.close();
  });

  test('creates an UNLOGGED table by default and a logged one with unlogged: false', async () => {
    const persistence = async (table: string) =>
      (await pool.query('SELECT relpersistence FROM pg_class WHERE relname = $1', [table])).rows[0]
        .relpersistence;
    const a = fresh();
    await a.store.set('k', 1);
    assert.equal(await persistence(a.table), 'u');
    const b = fresh({ unlogged: false });
    await b.store.set('k', 1);
    assert.equal(await persistence(b.table), 'p');
    assert.match(a.store.schema, /CREATE UNLOGGED TABLE IF NOT EXISTS "store_\d+"/);
  });

  test('with createTable: false, uses a table made from the printed DDL and creates nothing', async () => {
    const table = `store_${tables++}`;
    const probe = createPostgresStore({ client: pool, table, createTable: false });
    await assert.rejects(probe.get('k'), /does not exist/);
    await pool.query(probe.schema);
    await probe.set('k', 'v');
    assert.equal(await probe.get('k'), 'v');
    await probe.close();
  });

  describe('the sweeper', () => {
    test('deletes expired rows in batches; reads leave them in place', async () => {
      const clock = createTestClock();
      const { store, table } = fresh({ now: clock.now, sweepInterval: Infinity });
      await store.setMany(
        Array.from({ length: 1200 }, (_, i) => [`old:${i}`, i] as const),
        10,
      );
      await store.set('keep', 'v', 3600);
      clock.advance(11_000);
      assert.equal(await store.get('old:1'), undefined);
      assert.equal(await rowCount(table), 1201, 'a read deletes nothing');
      assert.deepEqual(await store.sweep(), { expired: 1200, evicted: 0 });
      assert.equal(await rowCount(table), 1);
      assert.equal(await store.get('keep'), 'v');
    });

    test('evicts the oldest-written entries past maxEntries, tag stamps last', async () => {
      const clock = createTestClock();
      const { store, table } = fresh({ now: clock.now, sweepInterval: Infinity, maxEntries: 10 });
      const cache = createCache({ stores: { pg: store }, timeout: '5s' });
      await cache.set('tagged', 'first', { tags: ['news'] }); // writes the stamp of 'news' first
      for (let i = 0; i < 14; i++) {
        clock.advance(1000);
        await store.set(`e:${i}`, i);
      }
      // Writes past a tenth of maxEntries start sweeps on their own; this one ends the series.
      await store.sweep();
      assert.equal(await rowCount(table), 10);
      const stamps = await pool.query(
        `SELECT count(*) AS n FROM "${table}" WHERE position('_larder:'::bytea IN key) > 0`,
      );
      assert.equal(
        Number(stamps.rows[0].n),
        1,
        'the tag stamp survives though it is the oldest row',
      );
      assert.deepEqual(await store.getMany(['tagged', 'e:4', 'e:5', 'e:13']), [
        undefined,
        undefined,
        5,
        13,
      ]);
    });

    test('evicts stamps too when only stamps are left over the bound', async () => {
      const clock = createTestClock();
      const { store, table } = fresh({ now: clock.now, sweepInterval: Infinity, maxEntries: 2 });
      const keys = [0, 1, 2, 3].map((i) => `_larder:tag:t${i}`);
      await store.setMany(keys.map((key, i) => [key, `stamp${i}`] as const));
      clock.advance(1000);
      await store.set(keys[0]!, 'rewritten'); // a write makes a row the newest
      await store.sweep(); // after the sweeps these writes started on their own
      assert.equal(await rowCount(table), 2);
      assert.deepEqual(await store.getMany(keys), ['rewritten', undefined, undefined, 'stamp3']);
    });

    test('starts in the background after a tenth of maxEntries writes', async () => {
      const { store, table } = fresh({ sweepInterval: Infinity, maxEntries: 20 });
      for (let i = 0; i < 40; i++) await store.set(`w:${i}`, i);
      // The write-triggered sweep runs concurrently; wait for it by sweeping (joins a running one).
      await store.sweep();
      assert.ok((await rowCount(table)) <= 20, `rows: ${await rowCount(table)}`);
    });

    test('runs on its timer and reports its failures to onError', async () => {
      const errors: Error[] = [];
      const clock = createTestClock();
      const { store, table } = fresh({
        now: clock.now,
        sweepInterval: '50ms',
        onError: (e) => errors.push(e),
      });
      await store.set('gone', 1, 1);
      clock.advance(2000);
      for (let i = 0; i < 100 && (await rowCount(table)) > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(await rowCount(table), 0);
      await pool.query(`DROP TABLE "${table}"`);
      for (let i = 0; i < 100 && errors.length === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.match(errors[0]?.message ?? '', /does not exist/);
    });
  });

  describe('lock', () => {
    test('is exclusive until released, and only its owner releases it', async () => {
      const clock = createTestClock();
      const { store } = fresh({ now: clock.now });
      const first = await store.lock('job', 10);
      assert.ok(first);
      assert.equal(await store.lock('job', 10), undefined);
      assert.equal(await store.get('job'), undefined, 'a lock is not an entry');
      clock.advance(10_001); // expired: someone else may take it
      const second = await store.lock('job', 10);
      assert.ok(second);
      await first.release(); // late release by the former owner
      assert.equal(await store.lock('job', 10), undefined, 'the new holder keeps its lock');
      await second.release();
      await second.release();
      assert.ok(await store.lock('job', 10));
    });

    test("lets the facade's wrap compute once across stores with their own pools", async () => {
      const table = `store_${tables++}`;
      const pools = [0, 1, 2].map(
        () => new pg.Pool({ connectionString: server.connectionString, max: 4 }),
      );
      const caches = pools.map((client) =>
        createCache({ stores: { pg: createPostgresStore({ client, table }) }, timeout: '5s' }),
      );
      let computed = 0;
      const compute = async () => {
        computed += 1;
        await new Promise((resolve) => setTimeout(resolve, 300));
        return 'report';
      };
      try {
        const values = await Promise.all(caches.map((cache) => cache.wrap('report', compute, 60)));
        assert.deepEqual(values, ['report', 'report', 'report']);
        assert.equal(computed, 1, 'one cache computed; the others waited for its row');
      } finally {
        for (const p of pools) await p.end();
      }
    });

    test('lives beside an entry of the same key without touching it', async () => {
      const { store } = fresh();
      await store.set('k', 'value');
      const lock = await store.lock('k', 5);
      assert.ok(lock);
      assert.equal(await store.get('k'), 'value');
      await store.clear('k');
      assert.equal(await store.lock('k', 5), undefined, 'clear(prefix) leaves locks alone');
    });
  });

  test('with a connection string, creates its own pool and ends it on close', async () => {
    const store = createPostgresStore({
      connectionString: server.connectionString,
      table: `store_${tables++}`,
    });
    await store.set('k', Buffer.from([0, 1, 2]));
    assert.deepEqual(await store.get('k'), Buffer.from([0, 1, 2]));
    await store.close();
    await assert.rejects(store.get('k'), /closed/);
  });

  test('close leaves a pool it was given open', async () => {
    const { store } = fresh();
    await store.set('k', 1);
    await store.close();
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
  });
});

describe('createPostgresStore options', () => {
  const client = { query: async () => ({ rows: [], rowCount: 0 }) };
  const cases: Array<[string, unknown, RegExp, ErrorConstructor]> = [
    ['no client', {}, /exactly one of "client" and "connectionString"/, TypeError],
    ['both', { client, connectionString: 'postgres://x' }, /exactly one/, TypeError],
    ['a client without query', { client: {} }, /"client" must have a query\(\) method/, TypeError],
    [
      'an unknown option',
      { client, tabel: 'x' },
      /unknown option "tabel" \(did you mean "table"\?\)/,
      TypeError,
    ],
    ['a quoted table', { client, table: 'a"; DROP TABLE x; --' }, /option "table"/, TypeError],
    ['three-part table', { client, table: 'a.b.c' }, /option "table"/, TypeError],
    ['a zero timeout', { client, timeout: 0 }, /option "timeout" must be above 0/, RangeError],
    ['a negative ttl', { client, ttl: -1 }, /option "ttl"/, RangeError],
    [
      'maxEntries 0',
      { client, maxEntries: 0 },
      /option "maxEntries" must be a positive integer/,
      RangeError,
    ],
    [
      'unlogged as a string',
      { client, unlogged: 'no' },
      /option "unlogged" must be a boolean, got "no"/,
      TypeError,
    ],
    [
      'nearCache with a client that cannot connect',
      { client, nearCache: true },
      /option "nearCache" needs a "client" with connect\(\)/,
      TypeError,
    ],
    [
      'an unknown breaker option',
      { client, breaker: { retries: 3 } },
      /breaker\.retries/,
      TypeError,
    ],
  ];
  for (const [label, options, message, type] of cases) {
    test(`throws a ${type.name} naming the option for ${label}`, () => {
      assert.throws(
        () => createPostgresStore(options as PostgresStoreOptions),
        (error: Error) => {
          assert.ok(error instanceof type, `${error.name}: ${error.message}`);
          assert.match(error.message, /^createPostgresStore: /);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
