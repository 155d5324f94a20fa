/**
 * The safe defaults of the key and of storability, on Express and Koa: requests with Cookie
 * bypass unless the route says otherwise, the host is in the key, Vary is learned, unreadable
 * Cache-Control and Vary refuse storing, a rewritten URL and the parsed query are keyed.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { it } from 'node:test';
import { createMemoryStore } from '@larder/core';
import {
  countedApp,
  countedRoute,
  describeMatrix,
  type Respond,
  type TestApp,
} from '../helpers/response-cache-matrix.ts';

/** Answers with the request's cookies and the call number. */
const byCookie: Respond = (x, n) => x.send(`${x.header('cookie') ?? 'none'} ${n}`);

/** GETs `path` exactly as given (a raw `#` included) and resolves the body and X-Cache. */
function rawGet(app: TestApp, path: string): Promise<{ body: string; cache: string | undefined }> {
  const { port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ body, cache: res.headers['x-cache'] as string | undefined }));
    })
      .on('error', reject)
      .end();
  });
}

describeMatrix('responseCache defaults: Cookie', (fw) => {
  it('neither serves nor stores a request with Cookie, so a page rendered from it reaches no one else', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/me' } }, byCookie);
    const alice = await app.http().get('/me').set('Cookie', 'user=alice').expect('user=alice 1');
    assert.equal(alice.headers['x-cache'], 'BYPASS');
    await app.http().get('/me').set('Cookie', 'user=bob').expect('user=bob 2');
    await app.http().get('/me').expect('none 3');
    const hit = await app.http().get('/me').expect('none 3');
    assert.equal(hit.headers['x-cache'], 'HIT');
    await app.http().get('/me').set('Cookie', 'user=alice').expect('user=alice 4');
    assert.equal(calls(), 4);
    assert.equal(app.appCache?.stats().bypass.cookie, 3);
  });

  it('shares the entry with requests whose cookies are all ignored (analytics), and bypasses any other', async () => {
    const spec = { route: { path: '/p', cache: { cookies: { ignore: ['_ga', '_ga_*'] } } } };
    const { app, calls } = await countedApp(fw, spec, (x, n) => x.send(`page ${n}`));
    await app.http().get('/p').expect('page 1');
    const ga = await app
      .http()
      .get('/p')
      .set('Cookie', '_ga=GA1.2.3; _ga_XYZ=GS1.1')
      .expect('page 1');
    assert.equal(ga.headers['x-cache'], 'HIT');
    const session = await app
      .http()
      .get('/p')
      .set('Cookie', '_ga=GA1.2.3; sid=s1')
      .expect('page 2');
    assert.equal(session.headers['x-cache'], 'BYPASS');
    assert.equal(calls(), 2);
  });

  it('keys on the values of the cookies a route keys on, and says Vary: Cookie', async () => {
    const spec = { route: { path: '/t', cache: { cookies: { key: ['theme'] } } } };
    const { app, calls } = await countedApp(fw, spec, byCookie);
    const dark = await app.http().get('/t').set('Cookie', 'theme=dark').expect('theme=dark 1');
    assert.match(String(dark.headers.vary), /cookie/i);
    await app.http().get('/t').set('Cookie', 'theme=light').expect('theme=light 2');
    await app.http().get('/t').set('Cookie', 'theme=dark').expect('theme=dark 1');
    await app.http().get('/t').set('Cookie', 'theme=dark; sid=1').expect('theme=dark; sid=1 3');
    assert.equal(calls(), 3);
  });

  it('shares one entry whatever the cookies when the route allows all of them', async () => {
    const spec = { route: { path: '/all', cache: { cookies: true } } };
    const { app, calls } = await countedApp(fw, spec, (x, n) => x.send(`same ${n}`));
    await app.http().get('/all').set('Cookie', 'sid=a').expect('same 1');
    await app.http().get('/all').set('Cookie', 'sid=b').expect('same 1');
    await app
      .http()
      .get('/all')
      .set('Cookie', 'sid=b')
      .set('Authorization', 'Bearer b')
      .expect('same 2');
    assert.equal(calls(), 2);
  });
});

describeMatrix('responseCache defaults: host', (fw) => {
  it('keeps two apps on one store apart (the host keeps its port)', async () => {
    const store = createMemoryStore();
    const publicApp = await countedApp(fw, { store, cache: {}, route: { path: '/' } }, (x, n) =>
      x.send(`public ${n}`),
    );
    const adminApp = await countedApp(fw, { store, cache: {}, route: { path: '/' } }, (x, n) =>
      x.send(`admin ${n}`),
    );
    await publicApp.app.http().get('/').expect('public 1');
    await adminApp.app.http().get('/').expect('admin 1');
    await publicApp.app.http().get('/').expect('public 1');
    await adminApp.app.http().get('/').expect('admin 1');
    assert.equal(store.size, 2);
  });

  it('keeps one app under two host names apart', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/' } }, (x, n) =>
      x.send(`${x.host()} ${n}`),
    );
    await app.http().get('/').set('Host', 'shop-a.test').expect('shop-a.test 1');
    await app.http().get('/').set('Host', 'shop-b.test').expect('shop-b.test 2');
    await app.http().get('/').set('Host', 'shop-a.test').expect('shop-a.test 1');
    assert.equal(calls(), 2);
  });

  for (const trustProxy of [false, true]) {
    it(`keys X-Forwarded-Host only when the framework trusts it (trust proxy ${trustProxy})`, async () => {
      const spec = { trustProxy, cache: {}, route: { path: '/' } };
      // node:http has no proxy setting: it never trusts X-Forwarded-Host.
      const trusted = trustProxy && fw.name !== 'node';
      const { app, calls } = await countedApp(fw, spec, (x, n) => x.send(`${x.host()} ${n}`));
      await app.http().get('/').set('Host', 'site.test').expect('site.test 1');
      const forwarded = await app
        .http()
        .get('/')
        .set('Host', 'site.test')
        .set('X-Forwarded-Host', 'other.test');
      assert.equal(forwarded.text, trusted ? 'other.test 2' : 'site.test 1');
      assert.equal(calls(), trusted ? 2 : 1);
    });
  }
});

describeMatrix('responseCache defaults: Vary learned from the response', (fw) => {
  it('stores a response that says Vary: Accept-Language once per language and replays each', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/i18n' } }, (x, n) => {
      x.set('Vary', 'Accept-Language');
      x.send(`${(x.header('accept-language') ?? 'en').slice(0, 2)} ${n}`);
    });
    await app.http().get('/i18n').set('Accept-Language', 'fr-FR').expect('fr 1');
    await app.http().get('/i18n').set('Accept-Language', 'de').expect('de 2');
    const fr = await app.http().get('/i18n').set('Accept-Language', 'fr-FR').expect('fr 1');
    assert.equal(fr.headers['x-cache'], 'HIT');
    assert.match(String(fr.headers.vary), /accept-language/i);
    await app.http().get('/i18n').set('Accept-Language', 'de').expect('de 2');
    await app.http().get('/i18n').expect('en 3');
    assert.equal(calls(), 3);
    await app.appCache?.invalidatePath('/i18n');
    await app.http().get('/i18n').set('Accept-Language', 'de').expect('de 4');
  });

  for (const vary of ['*', 'Cookie', 'Cookie X', '"Accept-Language"', 'Cookie;']) {
    it(`never stores a response with Vary: ${vary}`, async () => {
      const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/v' } }, (x, n) => {
        x.set('Vary', vary);
        x.send(`v ${n}`);
      });
      await app.http().get('/v').expect('v 1');
      await app.http().get('/v').expect('v 2');
      assert.equal(calls(), 2);
    });
  }
});

describeMatrix('responseCache defaults: Cache-Control read strictly', (fw) => {
  const refused = [
    'no-store; private',
    'max-age=60; private',
    'public; max-age=60',
    'max-age=60, NO-CACHE',
    'Private',
    'max-age=sixty',
  ];
  for (const cacheControl of refused) {
    it(`never stores a response with Cache-Control: ${cacheControl}`, async () => {
      const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/cc' } }, (x, n) => {
        x.set('Cache-Control', cacheControl);
        x.send(`user ${n}`);
      });
      await app.http().get('/cc').expect('user 1');
      const again = await app.http().get('/cc').expect('user 2');
      assert.equal(again.headers['x-cache'], 'BYPASS');
      assert.equal(calls(), 2);
    });
  }

  it('strips the fields no-cache="…" and private="…" name from the stored copy only', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/q' } }, (x, n) => {
      x.set('Cache-Control', 'max-age=60, no-cache="X-User", private="X-Trace"');
      x.set('X-User', 'alice');
      x.set('X-Trace', `t${n}`);
      x.send('page');
    });
    const first = await app.http().get('/q').expect(200, 'page');
    assert.equal(first.headers['x-user'], 'alice');
    assert.equal(first.headers['x-trace'], 't1');
    const hit = await app.http().get('/q').expect(200, 'page');
    assert.equal(hit.headers['x-cache'], 'HIT');
    assert.equal(hit.headers['x-user'], undefined);
    assert.equal(hit.headers['x-trace'], undefined);
    assert.equal(calls(), 1);
  });
});

describeMatrix('responseCache defaults: URL and query', (fw) => {
  it('keys the rewritten URL beside the original (a middleware rewriting from X-Original-URL)', async () => {
    const publicPage = countedRoute({ path: '/a' }, (_x, n) => _x.send(`public ${n}`));
    const secret = countedRoute({ path: '/secret' }, (_x, n) => _x.send(`secret ${n}`));
    const app = await fw.build({
      cache: {},
      rewrite: (_url, header) => header('x-original-url'),
      routes: [publicPage.spec, secret.spec],
    });
    await app.http().get('/a').set('X-Original-URL', '/secret').expect('secret 1');
    const victim = await app.http().get('/a').expect('public 1');
    assert.equal(victim.headers['x-cache'], 'MISS');
    await app.http().get('/a').expect('public 1');
    await app.http().get('/a').set('X-Original-URL', '/secret').expect('secret 1');
    assert.deepEqual([publicPage.calls(), secret.calls()], [1, 1]);
  });

  it('keys on what the query parser hands the handler: %41% and %2541%25 stay apart', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/s' } }, (x, n) =>
      x.send(`${JSON.stringify(x.query('q'))} ${n}`),
    );
    const a = await app.http().get('/s?q=%41%').expect(200);
    const b = await app.http().get('/s?q=%2541%25').expect(200);
    assert.notEqual(a.text.split(' ')[0], b.text.split(' ')[0]);
    await app.http().get('/s?q=%41%').expect(a.text);
    await app.http().get('/s?q=%2541%25').expect(b.text);
    assert.equal(calls(), 2);
  });

  it('keeps a raw # in the request target from merging entries the app reads apart', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/h' } }, (x, n) =>
      x.send(`${JSON.stringify(x.query('q'))} ${n}`),
    );
    const fragment = await rawGet(app, '/h?q=#x');
    const escaped = await rawGet(app, '/h?q=%23x');
    assert.deepEqual([fragment.body, escaped.body], ['"" 1', '"#x" 2']);
    // What the app reads is what is keyed: `?q=` is the same page as `?q=#x`.
    assert.deepEqual(await rawGet(app, '/h?q='), { body: '"" 1', cache: 'HIT' });
    assert.deepEqual(await rawGet(app, '/h?q=%23x'), { body: '"#x" 2', cache: 'HIT' });
    assert.equal(calls(), 2);
  });
});
