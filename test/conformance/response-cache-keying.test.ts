import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  type CountedAppSpec,
  countedApp,
  countedRoute,
  describeMatrix,
  type Respond,
} from '../helpers/response-cache-matrix.ts';

/** Answers with the call number, so a hit (same number) is told apart from a fill. */
const callN: Respond = (x, n) => x.send(`call ${n}`);

/** Answers with a request header and the call number, so variants are told apart. */
const echo =
  (header: string): Respond =>
  (x, n) =>
    x.send(`${x.header(header) ?? '-'} ${n}`);

describeMatrix('responseCache keying', (fw) => {
  it('serves a repeated GET from the cache and keys distinct paths apart', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/:name' } }, callN);
    const first = await app.http().get('/a').expect(200);
    assert.equal(first.headers['x-cache'], 'MISS');
    const second = await app.http().get('/a').expect(200);
    assert.equal(second.headers['x-cache'], 'HIT');
    assert.equal(second.text, first.text);
    await app.http().get('/b').expect(200, 'call 2');
    assert.equal(calls(), 2);
  });

  it('sorts query parameters so their order does not split the key', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/q' } }, callN);
    await app.http().get('/q?a=1&b=2').expect('call 1');
    await app.http().get('/q?b=2&a=1').expect('call 1');
    await app.http().get('/q?a=2&b=2').expect('call 2');
    assert.equal(calls(), 2);
  });

  it('ignores the query when query is false', async () => {
    const spec = { cache: { query: false }, route: { path: '/q' } };
    const { app, calls } = await countedApp(fw, spec, callN);
    await app.http().get('/q?x=1').expect('call 1');
    await app.http().get('/q?x=2').expect('call 1');
    assert.equal(calls(), 1);
  });

  it('keys only the allow-listed query parameters', async () => {
    const spec = { route: { path: '/q', cache: { query: ['page'] } } };
    const { app, calls } = await countedApp(fw, spec, callN);
    await app.http().get('/q?page=1&utm=a').expect('call 1');
    await app.http().get('/q?utm=b&page=1').expect('call 1');
    await app.http().get('/q?page=2').expect('call 2');
    assert.equal(calls(), 2);
  });

  it('keys on the negotiated language among the app languages and sends Vary: Accept-Language', async () => {
    const spec = { cache: { languages: ['en', 'fr'] }, route: { path: '/l' } };
    const { app, calls } = await countedApp(fw, spec, echo('accept-language'));
    const fr = await app.http().get('/l').set('Accept-Language', 'fr-CA,fr;q=0.9').expect(200);
    assert.match(String(fr.headers.vary), /accept-language/i);
    await app.http().get('/l').set('Accept-Language', 'fr').expect(fr.text);
    const en = await app.http().get('/l').set('Accept-Language', 'en-GB').expect(200);
    assert.notEqual(en.text, fr.text);
    // A language the app does not serve falls back to the first one.
    await app.http().get('/l').set('Accept-Language', 'de').expect(en.text);
    assert.equal(calls(), 2);
  });

  it('keys on the host by default, port kept, and not with host: false', async () => {
    const on = countedRoute({ path: '/on', cache: {} }, echo('host'));
    const off = countedRoute({ path: '/off', cache: { host: false } }, echo('host'));
    const app = await fw.build({ routes: [off.spec, on.spec] });
    const a = await app.http().get('/on').set('Host', 'a.test').expect(200);
    const b = await app.http().get('/on').set('Host', 'b.test').expect(200);
    const port = await app.http().get('/on').set('Host', 'a.test:8080').expect(200);
    assert.deepEqual([a.text, b.text, port.text], ['a.test 1', 'b.test 2', 'a.test:8080 3']);
    await app.http().get('/on').set('Host', 'A.TEST').expect(a.text);
    assert.equal(on.calls(), 3);
    await app.http().get('/off').set('Host', 'a.test').expect(200);
    await app.http().get('/off').set('Host', 'b.test').expect('a.test 1');
    assert.equal(off.calls(), 1);
  });

  it('keys on chosen request headers and names them in Vary', async () => {
    const spec = { cache: { headers: ['X-Tenant'] }, route: { path: '/t' } };
    const { app, calls } = await countedApp(fw, spec, echo('x-tenant'));
    const one = await app.http().get('/t').set('X-Tenant', 'one').expect(200);
    assert.match(String(one.headers.vary), /x-tenant/i);
    await app.http().get('/t').set('X-Tenant', 'two').expect('two 2');
    const again = await app.http().get('/t').set('X-Tenant', 'one').expect(one.text);
    assert.equal(again.headers['x-cache'], 'HIT');
    assert.match(String(again.headers.vary), /x-tenant/i);
    assert.equal(calls(), 2);
  });

  it('uses a custom key function and bypasses when it returns undefined', async () => {
    const spec: CountedAppSpec = {
      cache: { key: (r) => (r.path.startsWith('/k/') ? 'shared' : undefined) },
      route: { path: '/:a/:b' },
    };
    const { app } = await countedApp(fw, spec, callN);
    await app.http().get('/k/1').expect('call 1');
    await app.http().get('/k/2').expect('call 1');
    const pass = await app.http().get('/x/1').expect('call 2');
    assert.equal(pass.headers['x-cache'], 'BYPASS');
    await app.http().get('/x/1').expect('call 3');
  });

  it('answers a HEAD from the GET entry without a body and with the same length', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/h' } }, (x) =>
      x.send('a body of some length'),
    );
    const get = await app.http().get('/h').set('Accept-Encoding', 'gzip').expect(200);
    const head = await app.http().head('/h').set('Accept-Encoding', 'gzip').expect(200);
    assert.equal(head.headers['x-cache'], 'HIT');
    assert.equal(head.headers['content-length'], get.headers['content-length']);
    assert.equal(head.headers['content-type'], get.headers['content-type']);
    assert.equal(head.text, undefined);
    assert.equal(calls(), 1);
  });

  it('passes other methods through untouched with X-Cache: BYPASS', async () => {
    const { app } = await countedApp(fw, { cache: {}, route: { path: '/m' } }, callN);
    const post = await app.http().post('/m').expect(200, 'call 1');
    assert.equal(post.headers['x-cache'], 'BYPASS');
    await app.http().get('/m').expect('call 2');
    await app.http().delete('/m').expect('call 3');
    await app.http().get('/m').expect('call 2');
  });

  for (const status of [201, 204, 301, 404, 410, 500, 503]) {
    it(`does not store a ${status} response`, async () => {
      const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/s' } }, (x) => {
        x.status(status);
        if (status === 301) x.set('Location', '/elsewhere');
        x.send(status === 204 ? '' : `status ${status}`);
      });
      await app.http().get('/s').expect(status);
      const again = await app.http().get('/s').expect(status);
      assert.equal(again.headers['x-cache'], 'BYPASS');
      assert.equal(calls(), 2);
    });
  }

  it('emits no status header when statusHeader is false', async () => {
    const spec: CountedAppSpec = { cache: { statusHeader: false }, route: { path: '/n' } };
    const { app } = await countedApp(fw, spec, callN);
    await app.http().get('/n');
    const hit = await app.http().get('/n').expect('call 1');
    assert.equal(hit.headers['x-cache'], undefined);
    assert.ok(hit.headers.age !== undefined);
  });
});
