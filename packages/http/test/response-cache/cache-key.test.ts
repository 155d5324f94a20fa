import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore } from '@larder/core';
import { KeyBuilder } from '../../src/response-cache/cache-key.ts';
import { resolveOptions } from '../../src/response-cache/options.ts';
import type { CacheRequest, ResponseCacheOptions } from '../../src/response-cache/types.ts';
import { counted, engineWith, get, ok, run } from './helpers.ts';

/** Runs each request in order through one engine and returns how many times the handler ran. */
async function calls(
  options: ResponseCacheOptions,
  requests: readonly CacheRequest[],
): Promise<number> {
  const { engine } = engineWith(options);
  const handler = counted();
  for (const request of requests) await run(engine, request, handler);
  return handler.calls;
}

/** Requests sent in order through one engine, and how many times the handler must run for them. */
interface CallCase {
  /** @default {} */
  readonly options?: ResponseCacheOptions;
  readonly requests: readonly CacheRequest[];
  readonly calls: number;
}

/** One test per case, named by its key: the requests run the handler exactly `calls` times. */
function testCalls(cases: Readonly<Record<string, CallCase>>): void {
  for (const [name, { options = {}, requests, calls: expected }] of Object.entries(cases)) {
    test(name, async () => {
      assert.equal(await calls(options, requests), expected);
    });
  }
}

function keyOf(options: ResponseCacheOptions, request: ReturnType<typeof get>): string | undefined {
  return new KeyBuilder(resolveOptions(options)).keyOf(request);
}

describe('cache key: query', () => {
  testCalls({
    'shares one entry when only the parameter order differs': {
      requests: [get('/a?b=2&a=1'), get('/a?a=1&b=2')],
      calls: 1,
    },
    'shares one entry when parameters differ only in percent-encoding': {
      requests: [get('/a?x=%41+b'), get('/a?x=A%20b')],
      calls: 1,
    },
    'keeps separate entries when an encoded & or # would otherwise split a value': {
      requests: [get('/a?x=1%262'), get('/a?x=1&2'), get('/a?x=%23'), get('/a?x=')],
      calls: 4,
    },
    'keeps the order of repeated names, which an app reading arrays sees': {
      requests: [get('/a?x=1&x=2'), get('/a?x=2&x=1')],
      calls: 2,
    },
    'ignores the query when query is false': {
      options: { query: false },
      requests: [get('/a?x=1'), get('/a?x=2'), get('/a')],
      calls: 1,
    },
    'keys only allow-listed parameters, so junk parameters cannot multiply entries': {
      options: { query: ['page'] },
      requests: [get('/a?page=1&utm=x'), get('/a?utm=y&page=1'), get('/a?page=2')],
      calls: 2,
    },
    'keys a malformed escape as the app reads it, without throwing': {
      requests: [get('/a?x=%ZZ'), get('/a?x=%25ZZ'), get('/a?%E0%A4%A=1')],
      calls: 2,
    },
  });
  testCalls({
    'keeps apart queries node:querystring reads differently (a stray % after an escape)': {
      requests: [get('/a?q=%41%'), get('/a?q=%2541%25'), get('/a?q=A%')],
      calls: 2,
    },
  });
  test('keys on what the given query parser hands the handler', async () => {
    // An extended parser reads `a[]=1` as a list and `a=1` as a string: not the same page.
    const parseQuery = (raw: string) =>
      Object.fromEntries(
        raw.split('&').map((part) => {
          const [name = '', value = ''] = part.split('=');
          return name.endsWith('[]') ? [name.slice(0, -2), [value]] : [name, value];
        }),
      );
    const { engine } = engineWith();
    const h = counted();
    for (const path of ['/a?a[]=1', '/a?a=1', '/a?a[]=1']) {
      const [, query = ''] = path.split('?');
      await run(engine, { ...get(path), query, parseQuery }, h);
    }
    assert.equal(h.calls, 2);
  });
  test('keys every query alike when a custom parser hands the handler nothing', async () => {
    const { engine } = engineWith();
    const h = counted();
    for (const path of ['/a?x=1', '/a?x=2'])
      await run(engine, { ...get(path), parseQuery: () => ({}) }, h);
    assert.equal(h.calls, 1);
  });
  test('bypasses a request whose query the parser throws on, without throwing', async () => {
    const { engine } = engineWith();
    const decision = await engine.handle({
      ...get('/a?x=1'),
      parseQuery: () => {
        throw new Error('bad query');
      },
    });
    assert.equal(decision.kind, 'pass');
    assert.deepEqual(engine.stats().bypass, { key: 1 });
  });
  test('bypasses a query longer than 16 KiB', async () => {
    const { engine } = engineWith();
    const decision = await engine.handle(get(`/a?${'x=1&'.repeat(5000)}`));
    assert.equal(decision.kind, 'pass');
    assert.equal(decision.kind === 'pass' && decision.reason, 'key');
    assert.deepEqual(engine.stats().bypass, { key: 1 });
  });
  test('bounds the key length for long queries and header values by hashing them', () => {
    const long = Array.from({ length: 1000 }, (_, i) => `p${i}=${'v'.repeat(10)}`).join('&');
    const key = keyOf({ headers: ['x-a'] }, get(`/a?${long}`, { 'x-a': 'h'.repeat(5000) }));
    assert.ok(key !== undefined && key.length < 200, `key length ${key?.length}`);
    const other = keyOf({ headers: ['x-a'] }, get(`/a?${long}1`, { 'x-a': 'h'.repeat(5000) }));
    assert.notEqual(key, other);
  });
});

describe('cache key: path', () => {
  testCalls({
    'keys the effective URL beside the original when a middleware rewrote it': {
      requests: [
        get('/a'),
        get('/a', {}, { effectiveUrl: '/secret' }),
        get('/a', {}, { effectiveUrl: '/other' }),
        get('/a', {}, { effectiveUrl: '/secret' }),
        get('/a'),
      ],
      calls: 3,
    },
    'keeps separate entries for paths that differ': {
      requests: [get('/a'), get('/a/'), get('/A'), get('/a')],
      calls: 3,
    },
  });
  test('bypasses a path holding a control character instead of risking a collision', () => {
    assert.equal(keyOf({}, get('/a\u0000b')), undefined);
  });
  test('keeps long paths apart when they share their first 512 characters', () => {
    const base = `/${'p'.repeat(600)}`;
    const a = keyOf({}, get(`${base}a`));
    const b = keyOf({}, get(`${base}b`));
    assert.ok(a !== undefined && b !== undefined && a !== b);
    assert.ok(a.length < 700);
  });
  test('separates path, query and the other components unambiguously', () => {
    const keys = new Set([
      keyOf({ headers: ['x-a', 'x-b'] }, get('/a?x=1', { 'x-a': '1' })),
      keyOf({ headers: ['x-a', 'x-b'] }, get('/a?x=1', { 'x-b': '1' })),
      keyOf({ headers: ['x-a', 'x-b'] }, get('/a?x=1', { 'x-a': '' })),
      keyOf({ headers: ['x-a', 'x-b'] }, get('/a?x=1', {})),
      keyOf({ headers: ['x-a', 'x-b'] }, get('/a?x=1', { 'x-a': '1', 'x-b': '' })),
    ]);
    assert.equal(keys.size, 5);
  });
  test('invalidatePath of the original path reaches the rewritten variants', async () => {
    const { engine } = engineWith();
    const h = counted();
    await run(engine, get('/a', {}, { effectiveUrl: '/secret' }), h);
    await engine.invalidatePath('/a');
    await run(engine, get('/a', {}, { effectiveUrl: '/secret' }), h);
    assert.equal(h.calls, 2);
  });
  test('shares the GET entry with HEAD', () => {
    assert.equal(keyOf({}, get('/a')), keyOf({}, { ...get('/a'), method: 'HEAD' }));
  });
});

describe('cache key: language', () => {
  const lang = (value: string) => get('/a', { 'accept-language': value });
  const mixed = [lang('de'), lang('xx-junk'), lang('en-GB'), lang('fr-CA'), lang('fr'), get('/a')];
  testCalls({
    'ignores Accept-Language unless language keying is on': {
      requests: [lang('en'), lang('fr')],
      calls: 1,
    },
    'keys the normalised first choice when no languages are listed': {
      options: { language: true },
      requests: [lang('en-US,en;q=0.9'), lang('EN-us'), lang('fr')],
      calls: 2,
    },
    'keys unparseable values as no preference': {
      options: { language: true },
      requests: [lang('!!!'), lang(';;;,,'), get('/a')],
      calls: 1,
    },
    'limits keys to the app languages, falling back to the first, so junk cannot multiply entries':
      { options: { languages: ['en', 'fr'] }, requests: mixed, calls: 2 },
  });
  test('adds Accept-Language to the Vary of stored responses', async () => {
    const { engine } = engineWith({ language: true });
    const { reply } = await run(engine, lang('en'), counted());
    assert.equal(reply.headers.vary, 'Accept-Language'.toLowerCase());
  });
});

describe('cache key: host', () => {
  const at = (host: string | undefined) => get('/a', {}, { host });
  testCalls({
    'keys the trusted host by default, case-insensitively, port kept': {
      requests: [at('a.example'), at('A.EXAMPLE'), at('a.example:8080'), at('b.example')],
      calls: 3,
    },
    'ignores the host when host is false': {
      options: { host: false },
      requests: [at('a.example'), at('b.example'), at(undefined)],
      calls: 1,
    },
    'never reads a forwarded header for the host': {
      requests: [
        get('/a', { 'x-forwarded-host': 'evil' }, { host: 'a' }),
        get('/a', {}, { host: 'a' }),
      ],
      calls: 1,
    },
    'serves the hosts of the allow-list, a bare name on any port': {
      options: { hosts: ['example.com', 'localhost:3000'] },
      requests: [
        at('Example.com'),
        at('example.com'),
        at('example.com:8443'),
        at('localhost:3000'),
      ],
      calls: 3,
    },
  });
  test('bypasses a hostile or missing host, counted as "host"', async () => {
    const { engine } = engineWith();
    for (const host of ['evil/../x', 'a b', '', undefined, 'x'.repeat(300), 'a.test,b.test']) {
      const decision = await engine.handle(at(host));
      assert.equal(decision.kind, 'pass', String(host));
    }
    assert.deepEqual(engine.stats().bypass, { host: 6 });
  });
  test('bypasses a host outside the allow-list, and the same name on another listed port', async () => {
    const { engine } = engineWith({ hosts: ['example.com', 'localhost:3000'] });
    for (const host of ['evil.example', 'example.com.evil', 'localhost', 'localhost:3001']) {
      const decision = await engine.handle(at(host));
      assert.equal(decision.kind, 'pass', host);
    }
    assert.deepEqual(engine.stats().bypass, { host: 4 });
  });
  test('keeps two apps on one store apart by host', async () => {
    const store = createMemoryStore();
    const publicSite = engineWith({ store });
    const admin = engineWith({ store });
    const h = counted((n, r) => ok(`${r.host} ${n}`));
    await run(publicSite.engine, at('www.example'), h);
    const other = await run(admin.engine, at('admin.example'), h);
    assert.equal(other.reply.body?.toString(), 'admin.example 2');
    const again = await run(publicSite.engine, at('www.example'), h);
    assert.equal(again.reply.body?.toString(), 'www.example 1');
  });
});

describe('cache key: headers and custom keys', () => {
  const tenant = (value?: string) => get('/a', value === undefined ? {} : { 'x-tenant': value });
  testCalls({
    'keys chosen request headers, an absent field apart from an empty one': {
      options: { headers: ['X-Tenant'] },
      requests: [tenant('a'), tenant('b'), tenant(''), tenant(), tenant('a')],
      calls: 4,
    },
    'treats values differing only in whitespace as one': {
      options: { headers: ['x-tenant'] },
      requests: [tenant(' a  b '), tenant('a b')],
      calls: 1,
    },
    'uses a custom key instead of path and query': {
      options: { key: () => 'same' },
      requests: [get('/a?x=1'), get('/b')],
      calls: 1,
    },
  });
  test('adds keyed headers to the Vary of stored responses', async () => {
    const { engine } = engineWith({ headers: ['x-tenant'] });
    const { reply } = await run(
      engine,
      tenant('a'),
      counted((n) => ok(`${n}`, { vary: 'Accept-Encoding' })),
    );
    assert.equal(reply.headers.vary, 'Accept-Encoding, x-tenant');
  });
  test('bypasses a request for which the custom key returns undefined', async () => {
    const { engine } = engineWith({ key: () => undefined });
    const h = counted();
    await run(engine, get('/a'), h);
    await run(engine, get('/a'), h);
    assert.equal(h.calls, 2);
    assert.deepEqual(engine.stats().bypass, { key: 2 });
  });
});
