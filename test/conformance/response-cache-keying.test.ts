import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeMatrix, type Exchange } from '../helpers/response-cache-matrix.ts';

/** A handler that counts its calls and echoes what it was asked, so variants are told apart. */
function counted(body: (x: Exchange, n: number) => string = (_x, n) => `call ${n}`) {
  let calls = 0;
  return {
    calls: () => calls,
    handler: (x: Exchange) => {
      calls++;
      x.send(body(x, calls));
    },
  };
}

describeMatrix('responseCache keying', (fw) => {
  it('serves a repeated GET from the cache and keys distinct paths apart', async () => {
    const h = counted();
    const app = await fw.build({ cache: {}, routes: [{ path: '/:name', handler: h.handler }] });
    const first = await app.http().get('/a').expect(200);
    assert.equal(first.headers['x-cache'], 'MISS');
    const second = await app.http().get('/a').expect(200);
    assert.equal(second.headers['x-cache'], 'HIT');
    assert.equal(second.text, first.text);
    await app.http().get('/b').expect(200, 'call 2');
    assert.equal(h.calls(), 2);
  });

  it('sorts query parameters so their order does not split the key', async () => {
    const h = counted();
    const app = await fw.build({ cache: {}, routes: [{ path: '/q', handler: h.handler }] });
    await app.http().get('/q?a=1&b=2').expect('call 1');
    await app.http().get('/q?b=2&a=1').expect('call 1');
    await app.http().get('/q?a=2&b=2').expect('call 2');
    assert.equal(h.calls(), 2);
  });

  it('ignores the query when query is false', async () => {
    const h = counted();
    const app = await fw.build({
      cache: { query: false },
      routes: [{ path: '/q', handler: h.handler }],
    });
    await app.http().get('/q?x=1').expect('call 1');
    await app.http().get('/q?x=2').expect('call 1');
    assert.equal(h.calls(), 1);
  });

  it('keys only the allow-listed query parameters', async () => {
    const h = counted();
    const app = await fw.build({
      routes: [{ path: '/q', cache: { query: ['page'] }, handler: h.handler }],
    });
    await app.http().get('/q?page=1&utm=a').expect('call 1');
    await app.http().get('/q?utm=b&page=1').expect('call 1');
    await app.http().get('/q?page=2').expect('call 2');
    assert.equal(h.calls(), 2);
  });

  it('keys on the negotiated language among the app languages and sends Vary: Accept-Language', async () => {
    const h = counted((x, n) => `${x.header('accept-language') ?? '-'} ${n}`);
    const app = await fw.build({
      cache: { languages: ['en', 'fr'] },
      routes: [{ path: '/l', handler: h.handler }],
    });
    const fr = await app.http().get('/l').set('Accept-Language', 'fr-CA,fr;q=0.9').expect(200);
    assert.match(String(fr.headers.vary), /accept-language/i);
    await app.http().get('/l').set('Accept-Language', 'fr').expect(fr.text);
    const en = await app.http().get('/l').set('Accept-Language', 'en-GB').expect(200);
    assert.notEqual(en.text, fr.text);
    // A language the app does not serve falls back to the first one.
    await app.http().get('/l').set('Accept-Language', 'de').expect(en.text);
    assert.equal(h.calls(), 2);
  });

  it('keys on the host only when host keying is on', async () => {
    const off = counted((x, n) => `${x.header('host')} ${n}`);
    const on = counted((x, n) => `${x.header('host')} ${n}`);
    const app = await fw.build({
      routes: [
        { path: '/off', cache: {}, handler: off.handler },
        { path: '/on', cache: { host: true }, handler: on.handler },
      ],
    });
    await app.http().get('/off').set('Host', 'a.test').expect(200);
    await app.http().get('/off').set('Host', 'b.test').expect(200);
    assert.equal(off.calls(), 1);
    const a = await app.http().get('/on').set('Host', 'a.test').expect(200);
    const b = await app.http().get('/on').set('Host', 'b.test').expect(200);
    assert.notEqual(a.text, b.text);
    await app.http().get('/on').set('Host', 'a.test').expect(a.text);
    assert.equal(on.calls(), 2);
  });

  it('keys on chosen request headers and names them in Vary', async () => {
    const h = counted((x, n) => `${x.header('x-tenant') ?? '-'} ${n}`);
    const app = await fw.build({
      cache: { headers: ['X-Tenant'] },
      routes: [{ path: '/t', handler: h.handler }],
    });
    const one = await app.http().get('/t').set('X-Tenant', 'one').expect(200);
    assert.match(String(one.headers.vary), /x-tenant/i);
    await app.http().get('/t').set('X-Tenant', 'two').expect('two 2');
    const again = await app.http().get('/t').set('X-Tenant', 'one').expect(one.text);
    assert.equal(again.headers['x-cache'], 'HIT');
    assert.match(String(again.headers.vary), /x-tenant/i);
    assert.equal(h.calls(), 2);
  });

  it('uses a custom key function and bypasses when it returns undefined', async () => {
    const h = counted();
    const app = await fw.build({
      cache: { key: (r) => (r.path.startsWith('/k/') ? 'shared' : undefined) },
      routes: [{ path: '/:a/:b', handler: h.handler }],
    });
    await app.http().get('/k/1').expect('call 1');
    await app.http().get('/k/2').expect('call 1');
    const pass = await app.http().get('/x/1').expect('call 2');
    assert.equal(pass.headers['x-cache'], 'BYPASS');
    await app.http().get('/x/1').expect('call 3');
  });

  it('answers a HEAD from the GET entry without a body and with the same length', async () => {
    const h = counted(() => 'a body of some length');
    const app = await fw.build({ cache: {}, routes: [{ path: '/h', handler: h.handler }] });
    const get = await app.http().get('/h').set('Accept-Encoding', 'gzip').expect(200);
    const head = await app.http().head('/h').set('Accept-Encoding', 'gzip').expect(200);
    assert.equal(head.headers['x-cache'], 'HIT');
    assert.equal(head.headers['content-length'], get.headers['content-length']);
    assert.equal(head.headers['content-type'], get.headers['content-type']);
    assert.equal(head.text, undefined);
    assert.equal(h.calls(), 1);
  });

  it('passes other methods through untouched with X-Cache: BYPASS', async () => {
    const h = counted();
    const app = await fw.build({ cache: {}, routes: [{ path: '/m', handler: h.handler }] });
    const post = await app.http().post('/m').expect(200, 'call 1');
    assert.equal(post.headers['x-cache'], 'BYPASS');
    await app.http().get('/m').expect('call 2');
    await app.http().delete('/m').expect('call 3');
    await app.http().get('/m').expect('call 2');
  });

  for (const status of [201, 204, 301, 404, 410, 500, 503]) {
    it(`does not store a ${status} response`, async () => {
      let calls = 0;
      const app = await fw.build({
        cache: {},
        routes: [
          {
            path: '/s',
            handler: (x) => {
              calls++;
              x.status(status);
              if (status === 301) x.set('Location', '/elsewhere');
              x.send(status === 204 ? '' : `status ${status}`);
            },
          },
        ],
      });
      await app.http().get('/s').expect(status);
      const again = await app.http().get('/s').expect(status);
      assert.equal(again.headers['x-cache'], 'BYPASS');
      assert.equal(calls, 2);
    });
  }

  it('emits no status header when statusHeader is false', async () => {
    const h = counted();
    const app = await fw.build({
      cache: { statusHeader: false },
      routes: [{ path: '/n', handler: h.handler }],
    });
    await app.http().get('/n');
    const hit = await app.http().get('/n').expect('call 1');
    assert.equal(hit.headers['x-cache'], undefined);
    assert.ok(hit.headers.age !== undefined);
  });
});
