import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  BypassReason,
  CacheRequest,
  CapturedResponse,
  HeaderRecord,
  ResponseCacheOptions,
} from '@larder/http';
import { counted, engineWith, get, ok, run } from './helpers.ts';

/** Runs the request twice against a handler answering `response`; returns calls, replies and stats. */
async function twice(
  response: CapturedResponse,
  request: CacheRequest = get('/a'),
  options: ResponseCacheOptions = {},
) {
  const { engine } = engineWith(options);
  const handler = counted(() => response);
  const first = await run(engine, request, handler);
  const second = await run(engine, request, handler);
  return { calls: handler.calls, first, second, stats: engine.stats() };
}

describe('requests the cache never serves nor stores', () => {
  const cases: Array<[string, CacheRequest, BypassReason]> = [
    ['POST', { ...get('/a'), method: 'POST' }, 'method'],
    ['DELETE', { ...get('/a'), method: 'DELETE' }, 'method'],
    ['a request with Authorization', get('/a', { authorization: 'Bearer x' }), 'authorization'],
    ['a request with Range', get('/a', { range: 'bytes=0-1' }), 'range'],
  ];
  for (const [name, request, reason] of cases) {
    test(`passes ${name} through with X-Cache: BYPASS, counted as "${reason}"`, async () => {
      const { calls, first, stats } = await twice(ok(), request);
      assert.equal(calls, 2);
      assert.equal(first.decision, 'pass');
      assert.equal(first.reply.headers['x-cache'], 'BYPASS');
      assert.deepEqual(stats.bypass, { [reason]: 2 });
    });
  }

  test('serves and stores requests with Authorization when allowAuthorization is on', async () => {
    const { calls } = await twice(ok(), get('/a', { authorization: 'Bearer x' }), {
      allowAuthorization: true,
    });
    assert.equal(calls, 1);
  });

  test('never serves an entry to a request with Authorization', async () => {
    const { engine } = engineWith();
    const h = counted();
    await run(engine, get('/a'), h);
    const authorised = await run(engine, get('/a', { authorization: 'Basic eDp5' }), h);
    assert.equal(authorised.decision, 'pass');
    assert.equal(h.calls, 2);
  });
});

describe('responses the cache refuses to store', () => {
  const cases: Array<[string, CapturedResponse, BypassReason]> = [
    ['a 404', ok('nope', {}, 404), 'status'],
    ['a 201', ok('made', {}, 201), 'status'],
    ['a 304 from the handler', ok('', {}, 304), 'status'],
    ['a 301 redirect', ok('', { location: '/b' }, 301), 'status'],
    ['Set-Cookie', ok('x', { 'set-cookie': ['sid=1; HttpOnly'] }), 'set-cookie'],
    ['Cache-Control: no-store', ok('x', { 'cache-control': 'no-store' }), 'no-store'],
    ['Cache-Control: no-cache', ok('x', { 'cache-control': 'max-age=60, No-Cache' }), 'no-cache'],
    ['Cache-Control: private', ok('x', { 'cache-control': 'private, max-age=60' }), 'private'],
    ['Vary: *', ok('x', { vary: '*' }), 'vary-star'],
    ['Vary: Cookie', ok('x', { vary: 'Accept-Encoding, Cookie' }), 'vary-cookie'],
    ['Vary: Authorization', ok('x', { vary: 'authorization' }), 'vary-cookie'],
    [
      'an unknown Content-Encoding',
      ok('x', { 'content-encoding': 'x-custom' }),
      'content-encoding',
    ],
    ['a body over maxBodySize', ok('x'.repeat(11)), 'too-large'],
  ];
  for (const [name, response, reason] of cases) {
    test(`does not store ${name}, counted as "${reason}", and sends it with X-Cache: BYPASS`, async () => {
      const { calls, first, second, stats } = await twice(response, get('/a'), { maxBodySize: 10 });
      assert.equal(calls, 2);
      assert.equal(first.reply.status, response.status);
      assert.equal(first.reply.headers['x-cache'], 'BYPASS');
      assert.equal(second.reply.headers['x-cache'], 'BYPASS');
      assert.deepEqual(stats.bypass, { [reason]: 2 });
      assert.equal(stats.stored, 0);
    });
  }

  test('passes Set-Cookie through on the uncached response', async () => {
    const { first } = await twice(ok('x', { 'set-cookie': ['a=1', 'b=2'] }));
    assert.deepEqual(first.reply.headers['set-cookie'], ['a=1', 'b=2']);
  });

  test('stores a private response when allowPrivate is on, replaying its Cache-Control as is', async () => {
    const { calls, second } = await twice(
      ok('x', { 'cache-control': 'private, max-age=5' }),
      get('/a'),
      {
        allowPrivate: true,
      },
    );
    assert.equal(calls, 1);
    assert.equal(second.reply.headers['cache-control'], 'private, max-age=5');
  });

  test('stores a qualified private or no-cache response without the fields they name (RFC 9111 §5.2.2)', async () => {
    const response = ok('x', {
      'cache-control': 'private="x-user", no-cache="x-trace"',
      'x-user': 'u1',
      'x-trace': 't',
    });
    const { calls, second } = await twice(response);
    assert.equal(calls, 1);
    assert.equal(second.reply.headers['x-user'], undefined);
    assert.equal(second.reply.headers['x-trace'], undefined);
    assert.equal(second.reply.headers['cache-control'], 'private="x-user", no-cache="x-trace"');
  });

  test('stores a response whose Vary names only keyed headers and Accept-Encoding', async () => {
    const response = ok('x', { vary: 'Accept-Encoding, X-Tenant, Accept-Language' });
    const { calls } = await twice(response, get('/a'), { headers: ['x-tenant'], language: true });
    assert.equal(calls, 1);
  });

  test('stores a body of exactly maxBodySize bytes', async () => {
    const { calls } = await twice(ok('x'.repeat(10)), get('/a'), { maxBodySize: 10 });
    assert.equal(calls, 1);
  });

  test('stores responses whose max-age is 0: the server TTL is separate from client freshness', async () => {
    const { calls, second } = await twice(ok('x', { 'cache-control': 'public, max-age=0' }));
    assert.equal(calls, 1);
    assert.equal(second.reply.headers['cache-control'], 'public, max-age=0');
  });
});

describe('Cache-Control and Vary the cache cannot read: fail closed', () => {
  const refused: Array<[string, HeaderRecord, BypassReason]> = [
    ['no-store after a semicolon', { 'cache-control': 'public; no-store' }, 'no-store'],
    [
      'no-store and private joined by a semicolon',
      { 'cache-control': 'no-store; private' },
      'no-store',
    ],
    ['private after a semicolon', { 'cache-control': 'max-age=60; private' }, 'private'],
    ['private separated by spaces', { 'cache-control': 'max-age=60 PRIVATE' }, 'private'],
    [
      'NO-CACHE in capitals on a second line',
      { 'cache-control': ['max-age=60', 'NO-CACHE'] },
      'no-cache',
    ],
    ['Private in mixed case', { 'cache-control': 'Private, Max-Age=60' }, 'private'],
    [
      'a member with a space',
      { 'cache-control': 'public, max-age = 60' },
      'unparseable-cache-control',
    ],
    [
      'members joined by a semicolon',
      { 'cache-control': 'public; max-age=60' },
      'unparseable-cache-control',
    ],
    ['a non-numeric max-age', { 'cache-control': 'max-age=soon' }, 'unparseable-cache-control'],
    ['an unterminated quote', { 'cache-control': 'public, ext="abc' }, 'unparseable-cache-control'],
    ['an empty qualified private', { 'cache-control': 'private=""' }, 'unparseable-cache-control'],
    [
      'a qualified no-cache naming a non-field',
      { 'cache-control': 'no-cache="a b"' },
      'unparseable-cache-control',
    ],
    ['Vary: Cookie X', { vary: 'Cookie X' }, 'unparseable-vary'],
    ['a quoted Vary name', { vary: '"Accept-Language"' }, 'unparseable-vary'],
    ['Vary: Cookie;', { vary: 'Cookie;' }, 'unparseable-vary'],
    ['Vary: * among others', { vary: 'Accept-Language, *' }, 'vary-star'],
    ['Vary: COOKIE on a second line', { vary: ['Accept', 'COOKIE'] }, 'vary-cookie'],
  ];
  for (const [name, headers, reason] of refused) {
    test(`refuses ${name}, counted as "${reason}"`, async () => {
      const { calls, stats } = await twice(ok('x', headers));
      assert.equal(calls, 2);
      assert.deepEqual(stats.bypass, { [reason]: 2 });
    });
  }

  const stored: Array<[string, HeaderRecord]> = [
    [
      'public with max-age and an extension',
      { 'cache-control': 'public, max-age=60, community="UCI"' },
    ],
    ['a quoted max-age', { 'cache-control': 'max-age="60"' }],
    ['empty list members', { 'cache-control': 'public,, max-age=60,' }],
    [
      'qualified private and no-cache',
      { 'cache-control': 'private="X-User", no-cache="X-A, X-B"' },
    ],
    [
      'immutable and stale windows',
      { 'cache-control': 'max-age=60, immutable, stale-while-revalidate=30' },
    ],
  ];
  for (const [name, headers] of stored) {
    test(`stores ${name}`, async () => {
      const { calls } = await twice(ok('x', headers));
      assert.equal(calls, 1);
    });
  }

  test('keeps the fields a qualified no-cache or private names on the live response, drops them from the stored copy', async () => {
    const response = ok('x', {
      'cache-control': 'no-cache="X-User", private="X-Trace"',
      'x-user': 'alice',
      'x-trace': 'abc',
    });
    const { calls, first, second } = await twice(response);
    assert.equal(calls, 1);
    assert.equal(first.reply.headers['x-user'], 'alice');
    assert.equal(first.reply.headers['x-trace'], 'abc');
    assert.equal(second.reply.headers['x-user'], undefined);
    assert.equal(second.reply.headers['x-trace'], undefined);
  });
});
