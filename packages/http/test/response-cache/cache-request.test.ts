import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toCacheRequest } from '../../src/index.ts';

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
});
