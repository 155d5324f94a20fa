import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { it } from 'node:test';
import { createMemoryStore } from '@larder/core';
import {
  countedApp,
  countedRoute,
  describeMatrix,
  type Exchange,
  type TestApp,
} from '../helpers/response-cache-matrix.ts';

/** An Authorization header field carrying a bearer token for `user`. */
const bearer = (user: string) => ({ Authorization: `Bearer ${user}` });

/** GETs many URLs over a few keep-alive connections (faster than one supertest call each). */
async function getAll(app: TestApp, paths: readonly string[], parallel = 16): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  const statuses: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++] as string;
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          httpRequest(`${app.url}${path}`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
            .on('error', reject)
            .end();
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  agent.destroy();
  return statuses;
}

describeMatrix('responseCache never shares what is not shareable', (fw) => {
  it('never stores a response with Set-Cookie, so a later client never gets the cookie', async () => {
    const { app, calls } = await countedApp(
      fw,
      { cache: {}, route: { path: '/cookie' } },
      (x, n) => {
        if (n === 1) x.set('Set-Cookie', 'session=victim; HttpOnly');
        x.send('page');
      },
    );
    const first = await app.http().get('/cookie');
    assert.ok(first.headers['set-cookie']);
    const second = await app.http().get('/cookie').expect(200, 'page');
    assert.equal(second.headers['set-cookie'], undefined);
    assert.equal(calls(), 2);
  });

  it('bypasses requests with Authorization unless the route opts in', async () => {
    const closed = countedRoute({ path: '/auth', cache: {} }, (x, n) =>
      x.send(`for ${x.header('authorization')} ${n}`),
    );
    const open = countedRoute({ path: '/auth-ok', cache: { allowAuthorization: true } }, (x, n) =>
      x.send(`same for all ${n}`),
    );
    const app = await fw.build({ routes: [closed.spec, open.spec] });
    await app.http().get('/auth').set(bearer('alice')).expect('for Bearer alice 1');
    const bob = await app.http().get('/auth').set(bearer('bob')).expect('for Bearer bob 2');
    assert.equal(bob.headers['x-cache'], 'BYPASS');
    await app.http().get('/auth').expect('for undefined 3');
    await app.http().get('/auth-ok').set(bearer('alice')).expect('same for all 1');
    await app.http().get('/auth-ok').set(bearer('bob')).expect('same for all 1');
  });

  it('never serves an entry to a request with Authorization, even one an anonymous client made', async () => {
    const { app } = await countedApp(fw, { cache: {}, route: { path: '/shared' } }, (x, n) =>
      x.send(`for ${x.header('authorization') ?? 'anyone'} ${n}`),
    );
    await app.http().get('/shared').expect('for anyone 1');
    await app.http().get('/shared').expect('for anyone 1');
    const alice = await app.http().get('/shared').set(bearer('alice')).expect('for Bearer alice 2');
    assert.equal(alice.headers['x-cache'], 'BYPASS');
    assert.equal(alice.headers.age, undefined);
    await app.http().get('/shared').expect('for anyone 1');
    assert.equal(app.appCache?.stats().bypass.authorization, 1);
  });

  for (const cacheControl of ['private', 'no-store', 'no-cache', 'private, max-age=60']) {
    it(`never stores a response with Cache-Control: ${cacheControl}`, async () => {
      const { app } = await countedApp(fw, { cache: {}, route: { path: '/cc' } }, (x, n) => {
        x.set('Cache-Control', cacheControl);
        x.send(`user ${n}`);
      });
      await app.http().get('/cc').expect('user 1');
      await app.http().get('/cc').expect('user 2');
    });
  }

  it('never stores a response with Vary: *, and stores one with Vary: User-Agent per User-Agent only', async () => {
    const star = countedRoute({ path: '/star' }, (x, n) => {
      x.set('Vary', '*');
      x.send(`star ${n}`);
    });
    const undeclared = countedRoute({ path: '/ua' }, (x, n) => {
      x.set('Vary', 'User-Agent');
      x.send(`${x.header('user-agent')} ${n}`);
    });
    const app = await fw.build({ cache: {}, routes: [star.spec, undeclared.spec] });
    for (let i = 0; i < 2; i++) {
      await app.http().get('/star');
      await app.http().get('/ua').set('User-Agent', 'phone').expect('phone 1');
      await app.http().get('/ua').set('User-Agent', 'desktop').expect('desktop 2');
    }
    assert.equal(star.calls(), 2);
    assert.equal(undeclared.calls(), 2);
  });

  it('keeps an attacker header that changes the body from poisoning other clients', async () => {
    // The app declares what it varies on: undeclared → not stored; keyed → a separate entry.
    const variant = (x: Exchange) => `variant ${x.header('x-variant') ?? 'none'}`;
    const declared = countedRoute({ path: '/declared', cache: {} }, (x) => {
      x.set('Vary', 'X-Variant');
      x.send(variant(x));
    });
    const keyed = countedRoute({ path: '/keyed', cache: { headers: ['x-variant'] } }, (x) =>
      x.send(variant(x)),
    );
    const app = await fw.build({ routes: [declared.spec, keyed.spec] });
    for (const path of ['/declared', '/keyed']) {
      await app.http().get(path).set('X-Variant', '<script>evil</script>');
      await app.http().get(path).expect(200, 'variant none');
    }
  });

  for (const trustProxy of [false, true]) {
    it(`keeps a hostile X-Forwarded-Host away from other clients with the default host keying (trust proxy ${trustProxy})`, async () => {
      const spec = { trustProxy, route: { path: '/home', cache: {} } };
      // node:http has no proxy setting: it never trusts X-Forwarded-Host.
      const trusted = trustProxy && fw.name !== 'node';
      const { app, calls } = await countedApp(fw, spec, (x) =>
        x.send(`<a href="//${x.host()}/next">next</a>`),
      );
      const attack = await app
        .http()
        .get('/home')
        .set('Host', 'good.test')
        .set('X-Forwarded-Host', 'evil.test');
      assert.equal(attack.text, `<a href="//${trusted ? 'evil' : 'good'}.test/next">next</a>`);
      const victim = await app.http().get('/home').set('Host', 'good.test').expect(200);
      assert.equal(victim.text, '<a href="//good.test/next">next</a>');
      // Untrusted, the forwarded header is not part of the key: the attack and the victim share
      // the good.test entry. Trusted, it is the host: the attack made its own evil.test entry.
      assert.equal(victim.headers['x-cache'], trusted ? 'MISS' : 'HIT');
      assert.equal(calls(), trusted ? 2 : 1);
    });
  }

  for (const trustProxy of [false, true]) {
    it(`never throws on a malformed Host or X-Forwarded-Host and keys neither with host keying off (trust proxy ${trustProxy})`, async () => {
      const spec = { trustProxy, cache: { host: false }, route: { path: '/any' } };
      const { app, calls } = await countedApp(fw, spec, (x, n) => x.send(`page ${n}`));
      for (const host of ['evil.test', 'a'.repeat(300), 'good.test:99999', '[::1', '..', 'x%00y']) {
        const viaHost = await app.http().get('/any').set('Host', host);
        assert.ok(viaHost.status < 500, `Host ${host} answered ${viaHost.status}`);
        const viaProxy = await app.http().get('/any').set('X-Forwarded-Host', host);
        assert.ok(viaProxy.status < 500, `X-Forwarded-Host ${host} answered ${viaProxy.status}`);
      }
      assert.equal(calls(), 1);
    });
  }

  for (const trustProxy of [false, true]) {
    it(`makes entries only for the allow-listed host, whatever Host or X-Forwarded-Host says (trust proxy ${trustProxy})`, async () => {
      const store = createMemoryStore();
      const spec = { store, trustProxy, cache: { hosts: ['good.test'] }, route: { path: '/any' } };
      // node:http has no proxy setting: it never trusts X-Forwarded-Host.
      const trusted = trustProxy && fw.name !== 'node';
      const { app, calls } = await countedApp(fw, spec, (x, n) => x.send(`page ${n}`));
      const junk = [
        'evil.test',
        'a'.repeat(300),
        'good.test.evil',
        '[::1',
        '..',
        'x%00y',
        'GOOD.test:',
      ];
      for (const host of junk) {
        const viaHost = await app.http().get('/any').set('Host', host);
        assert.ok(viaHost.status < 500, `Host ${host} answered ${viaHost.status}`);
        assert.equal(viaHost.headers['x-cache'], 'BYPASS', host);
      }
      for (const [i, host] of junk.entries()) {
        const viaProxy = await app
          .http()
          .get('/any')
          .set('Host', 'good.test')
          .set('X-Forwarded-Host', host);
        assert.ok(viaProxy.status < 500, `X-Forwarded-Host ${host} answered ${viaProxy.status}`);
        // Untrusted, the forwarded header is ignored: the good.test entry answers.
        assert.equal(viaProxy.headers['x-cache'], trusted ? 'BYPASS' : i === 0 ? 'MISS' : 'HIT');
      }
      await app.http().get('/any').set('Host', 'good.test').expect(200);
      assert.equal(store.size, 1);
      assert.equal(calls(), trusted ? 15 : 8);
    });
  }

  it('never lets a HEAD first leave an empty entry for GET', async () => {
    const { app, calls } = await countedApp(
      fw,
      { cache: {}, route: { path: '/head-first' } },
      (x) => x.send('the real body'),
    );
    await app.http().head('/head-first').set('Accept-Encoding', 'gzip').expect(200);
    await app.http().get('/head-first').set('Accept-Encoding', 'gzip').expect(200, 'the real body');
    const hit = await app
      .http()
      .get('/head-first')
      .set('Accept-Encoding', 'gzip')
      .expect(200, 'the real body');
    assert.equal(hit.headers['x-cache'], 'HIT');
    // The HEAD and the GET fill ran the handler; the second GET was the hit.
    assert.equal(calls(), 2);
  });

  for (const [status, extra] of [
    [404, {}],
    [500, {}],
    [302, { Location: '/login' }],
    [206, { 'Content-Range': 'bytes 0-3/10' }],
  ] as const) {
    it(`never stores a ${status}`, async () => {
      const { app, calls } = await countedApp(
        fw,
        { cache: {}, route: { path: '/status' } },
        (x) => {
          x.status(status);
          for (const [name, value] of Object.entries(extra)) x.set(name, value);
          x.send('part');
        },
      );
      await app.http().get('/status').expect(status);
      await app.http().get('/status').expect(status);
      assert.equal(calls(), 2);
    });
  }

  it('passes Range requests through to the handler', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/range' } }, (x) =>
      x.send('0123456789'),
    );
    await app.http().get('/range').set('Range', 'bytes=0-3');
    await app.http().get('/range').set('Range', 'bytes=0-3');
    assert.equal(calls(), 2);
  });

  for (const how of ['one buffer', 'a stream'] as const) {
    it(`sends a 5 MB response (${how}) whole without storing it`, async () => {
      const big = Buffer.alloc(5 * 1024 * 1024, 'larder ');
      const store = createMemoryStore();
      const { app, calls } = await countedApp(
        fw,
        { store, cache: {}, route: { path: '/big' } },
        (x) => {
          x.set('Content-Type', 'application/octet-stream');
          if (how === 'one buffer') return x.send(big);
          return x.pipe(
            Array.from({ length: 80 }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536)),
          );
        },
      );
      for (let i = 0; i < 2; i++) {
        const res = await app
          .http()
          .get('/big')
          .buffer(true)
          .parse((response, done) => {
            let length = 0;
            response.on('data', (c: Buffer) => {
              length += c.length;
            });
            response.on('end', () => done(null, length));
          });
        assert.equal(res.status, 200);
        assert.equal(res.body, big.length);
        assert.equal(res.headers['x-cache'], 'BYPASS');
      }
      assert.equal(calls(), 2);
      assert.equal(store.size, 0);
    });
  }

  it('makes at most one entry for 10,000 distinct junk query strings on a route with a query allow-list', async () => {
    const store = createMemoryStore();
    const spec = { store, route: { path: '/list', cache: { query: ['page'] } } };
    const { app, calls } = await countedApp(fw, spec, (x) => x.send('page one'));
    const junk = Array.from({ length: 10_000 }, (_, i) => {
      const odd = ['%zz', 'a[b]=1', '&&&', '=x', `utm_${i}=${i}`, `page[]=${i}`][i % 6];
      return `/list?page=1&${odd}&cb=${i.toString(36)}`;
    });
    const statuses = await getAll(app, junk);
    assert.ok(statuses.every((s) => s === 200));
    assert.equal(store.size, 1);
    assert.equal(calls(), 1);
  });
});
