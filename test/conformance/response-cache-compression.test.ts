import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Test } from 'supertest';
import { describeMatrix } from '../helpers/response-cache-matrix.ts';

const text = 'Larder compresses well. '.repeat(200);

/** The body as bytes; superagent undoes one gzip layer, so double encoding would show as gzip bytes here. */
function wire(req: Test) {
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

describeMatrix('responseCache with compression', (fw) => {
  for (const order of ['outer', 'inner'] as const) {
    it(`never sends gzip to a client that did not ask, and decodes once for one that did (compression ${order})`, async () => {
      let calls = 0;
      const app = await fw.build({
        compression: order,
        cache: {},
        routes: [
          {
            path: '/big',
            handler: (x) => {
              calls++;
              x.set('Content-Type', 'text/plain');
              x.send(text);
            },
          },
        ],
      });
      for (let round = 0; round < 2; round++) {
        const plain = await wire(app.http().get('/big').set('Accept-Encoding', 'identity')).expect(
          200,
        );
        assert.equal(plain.headers['content-encoding'], undefined);
        assert.equal(plain.body.toString(), text);
        assert.match(String(plain.headers.vary), /accept-encoding/i);

        const gzip = await wire(app.http().get('/big').set('Accept-Encoding', 'gzip')).expect(200);
        assert.equal(gzip.headers['content-encoding'], 'gzip');
        assert.equal(gzip.body.toString(), text);
        assert.match(String(gzip.headers.vary), /accept-encoding/i);
        if (round === 1) {
          assert.equal(plain.headers['x-cache'], 'HIT');
          assert.equal(gzip.headers['x-cache'], 'HIT');
        }
      }
      // At most one entry per set of accepted codings (the engine keys on that set).
      assert.ok(calls <= 2, `handler ran ${calls} times`);
    });
  }
});
