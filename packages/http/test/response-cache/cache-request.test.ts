import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewrittenUrl, toCacheRequest } from '../../src/index.ts';

describe('toCacheRequest', () => {
  it('splits the path from the query, and gives an empty query when there is none', () => {
    const scope = {};
    const withQuery = toCacheRequest('GET', '/a/b?x=1&y', {}, () => undefined, scope);
    assert.equal(withQuery.path, '/a/b');
    assert.equal(withQuery.query, 'x=1&y');
    assert.equal(withQuery.scope, scope);
    const plain = toCacheRequest('HEAD', '/a', { accept: '*/*' }, () => undefined, scope);
    assert.equal(plain.method, 'HEAD');
    assert.equal(plain.path, '/a');
    assert.equal(plain.query, '');
    assert.deepEqual(plain.headers, { accept: '*/*' });
  });

  it('reads the host only when asked, from a function or from an object with a host getter', () => {
    let reads = 0;
    const source = {
      get host() {
        reads++;
        return 'example.com';
      },
    };
    const fromObject = toCacheRequest('GET', '/', {}, source, {});
    const fromFunction = toCacheRequest('GET', '/', {}, () => source.host, {});
    assert.equal(reads, 0);
    assert.equal(fromObject.host, 'example.com');
    assert.equal(fromFunction.host, 'example.com');
    assert.equal(reads, 2);
  });

  it('ends the query at a raw # as the frameworks do, and a path at a # before any ?', () => {
    const fragment = toCacheRequest('GET', '/a?q=#x&y=1', {}, () => undefined, {});
    assert.equal(fragment.path, '/a');
    assert.equal(fragment.query, 'q=');
    const inPath = toCacheRequest('GET', '/a#b?c=1', {}, () => undefined, {});
    assert.equal(inPath.path, '/a');
    assert.equal(inPath.query, '');
  });

  it('reads the Host header directly when no X-Forwarded-Host is present, else asks the framework', () => {
    const framework = { host: 'from-framework' };
    assert.equal(toCacheRequest('GET', '/', { host: 'a.test' }, framework, {}).host, 'a.test');
    const forwarded = { host: 'a.test', 'x-forwarded-host': 'b.test' };
    assert.equal(toCacheRequest('GET', '/', forwarded, framework, {}).host, 'from-framework');
    assert.equal(toCacheRequest('GET', '/', {}, framework, {}).host, 'from-framework');
  });
});

describe('rewrittenUrl', () => {
  const cases: Array<[string, string, string, string, string | undefined]> = [
    ['an untouched URL', '/a?x=1', '/a?x=1', '', undefined],
    ['a router that took off its mount path', '/api/x?y', '/x?y', '/api', undefined],
    ['a router that added a leading slash', '/api?y', '/?y', '/api', undefined],
    ['a router mounted on the whole path', '/api', '/', '/api', undefined],
    ['a rewrite at the app level', '/a', '/secret', '', '/secret'],
    ['a rewrite inside a mounted router', '/api/a', '/secret', '/api', '/api/secret'],
  ];
  for (const [name, original, url, base, expected] of cases) {
    it(`gives ${String(expected)} for ${name}`, () => {
      assert.equal(rewrittenUrl(original, url, base), expected);
    });
  }
});
