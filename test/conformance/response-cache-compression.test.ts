import assert from 'node:assert/strict';
import { it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type RawResponse, rawRequest } from '../helpers/raw-request.ts';
import {
  type AppSpec,
  type CountedAppSpec,
  countedApp,
  describeMatrix,
  type Framework,
} from '../helpers/response-cache-matrix.ts';

const text = 'Larder compresses well. '.repeat(200);
/** Clients as they come: curl and HEAD checks send no Accept-Encoding, browsers send several. */
const CURL = {};
const BROWSER = { 'Accept-Encoding': 'gzip, deflate, br' };
const GZIP_ONLY = { 'Accept-Encoding': 'gzip' };

/** The text a client reads: gunzipped once when (and only when) the response says gzip. */
function decoded(res: RawResponse): string {
  return (res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.body) : res.body).toString();
}

/** An app with one text route behind an app-wide responseCache (and compression, if given). */
function textApp(
  fw: Framework,
  compression: AppSpec['compression'],
  body: (call: number) => string,
) {
  const spec: CountedAppSpec = {
    ...(compression === undefined ? {} : { compression }),
    cache: {},
    route: { path: '/page' },
  };
  return countedApp(fw, spec, (x, n) => {
    x.set('Content-Type', 'text/plain');
    x.send(body(n));
  });
}

describeMatrix('responseCache with compression', (fw) => {
  for (const order of ['outer', 'inner'] as const) {
    for (const [firstName, first, secondName, second] of [
      ['a plain client', CURL, 'a gzip client', GZIP_ONLY],
      ['a gzip client', GZIP_ONLY, 'a plain client', CURL],
    ] as const) {
      it(`never sends gzip to a client that did not ask, ${firstName} first then ${secondName} (compression ${order})`, async () => {
        const { app, calls } = await textApp(fw, order, () => text);
        for (let round = 0; round < 2; round++) {
          for (const headers of [first, second]) {
            const res = await rawRequest(app.url, '/page', headers);
            assert.equal(res.status, 200);
            if (headers === CURL) assert.equal(res.headers['content-encoding'], undefined);
            else assert.equal(res.headers['content-encoding'], 'gzip', 'compression still applies');
            assert.equal(decoded(res), text, 'encoded once at most');
            assert.match(String(res.headers.vary), /accept-encoding/i);
            if (round === 1) assert.equal(res.headers['x-cache'], 'HIT');
          }
          const head = await rawRequest(app.url, '/page', {}, 'HEAD');
          assert.equal(head.headers['content-encoding'], undefined);
          assert.equal(head.body.length, 0);
        }
        // Inside, the cache keeps one entry per set of accepted codings. Outside, compression
        // encodes each reply of an identity entry: one for every client with the `compression`
        // middleware (Express, node:http); koa-compress
        // sets `Vary: Accept-Encoding` before the handler runs, so the cache honours it and keeps
        // one identity entry per set of accepted codings.
        assert.equal(calls(), order === 'outer' && fw.name !== 'koa' ? 1 : 2);
      });
    }
  }
});

describeMatrix('responseCache on an app that does not compress', (fw) => {
  for (const [firstName, first, secondName, second] of [
    ['a browser', BROWSER, 'curl', CURL],
    ['curl', CURL, 'a browser', BROWSER],
  ] as const) {
    it(`serves ${secondName} the entry ${firstName} made (one entry whatever Accept-Encoding says)`, async () => {
      const { app, calls } = await textApp(fw, undefined, (n) => `page ${n}`);
      const made = await rawRequest(app.url, '/page', first);
      assert.equal(made.headers['x-cache'], 'MISS');
      const hit = await rawRequest(app.url, '/page', second);
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.equal(hit.body.toString(), 'page 1');
      assert.equal(hit.headers['content-encoding'], undefined);
      const head = await rawRequest(app.url, '/page', second, 'HEAD');
      assert.equal(head.headers['x-cache'], 'HIT');
      assert.equal(calls(), 1);
    });
  }
});
