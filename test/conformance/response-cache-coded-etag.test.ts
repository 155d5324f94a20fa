/**
 * RFC 9110 §8.8.3: a strong ETag names one representation, and a gzip body is another
 * representation than the identity one. With compression inside or outside the cache (the real
 * `compression` and `koa-compress`), each coding gets its own strong ETag, and a conditional
 * request matches the representation it is for.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { rawRequest } from '../helpers/raw-request.ts';
import { countedApp, describeMatrix, type Framework } from '../helpers/response-cache-matrix.ts';

const text = 'Larder keeps one validator per coding. '.repeat(100);
const PLAIN = {};
const GZIP = { 'Accept-Encoding': 'gzip' };

function app(fw: Framework, compression: 'outer' | 'inner') {
  return countedApp(fw, { compression, cache: {}, route: { path: '/page' } }, (x) => {
    x.set('Content-Type', 'text/plain');
    x.set('ETag', '"v1"');
    x.send(text);
  });
}

describeMatrix('responseCache gives each content coding its own strong ETag', (fw) => {
  for (const order of ['outer', 'inner'] as const) {
    it(`sends "v1" with identity and "v1-gzip" with gzip, on the miss and on hits (compression ${order})`, async () => {
      const { app: a, calls } = await app(fw, order);
      for (let round = 0; round < 2; round++) {
        for (const headers of [GZIP, PLAIN]) {
          const res = await rawRequest(a.url, '/page', headers);
          assert.equal(res.status, 200);
          if (headers === GZIP) {
            assert.equal(res.headers['content-encoding'], 'gzip');
            assert.equal(gunzipSync(res.body).toString(), text);
            assert.equal(res.headers.etag, '"v1-gzip"');
          } else {
            assert.equal(res.headers['content-encoding'], undefined);
            assert.equal(res.body.toString(), text);
            assert.equal(res.headers.etag, '"v1"');
          }
          if (round === 1) assert.equal(res.headers['x-cache'], 'HIT');
        }
      }
      assert.ok(calls() <= 2, 'at most one fill per coding');
    });

    it(`answers each coding's own ETag with a 304 carrying it, and never the other's (compression ${order})`, async () => {
      const { app: a } = await app(fw, order);
      await rawRequest(a.url, '/page', GZIP);
      await rawRequest(a.url, '/page', PLAIN);
      const gz = await rawRequest(a.url, '/page', { ...GZIP, 'If-None-Match': '"v1-gzip"' });
      assert.equal(gz.status, 304);
      assert.equal(gz.headers.etag, '"v1-gzip"');
      assert.equal(gz.body.length, 0);
      const plain = await rawRequest(a.url, '/page', { 'If-None-Match': '"v1"' });
      assert.equal(plain.status, 304);
      assert.equal(plain.headers.etag, '"v1"');
      // An identity client holding the gzip representation's tag does not have what it would get.
      const crossed = await rawRequest(a.url, '/page', { 'If-None-Match': '"v1-gzip"' });
      assert.equal(crossed.status, 200);
      assert.equal(crossed.headers.etag, '"v1"');
      assert.equal(crossed.body.toString(), text);
    });
  }
});
