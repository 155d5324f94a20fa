import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseHttpDate } from '@larder/http';
import {
  type BrowserApp,
  describeBothFrameworks,
  startApp,
  workCounter,
} from '../helpers/browser-caching-matrix.ts';

const OLD = 'Sun, 06 Nov 1994 08:49:37 GMT';

function seconds(value: string | undefined): number {
  const time = parseHttpDate(value);
  assert.ok(time !== undefined, `expected an HTTP date, got ${value}`);
  return time / 1000;
}

/** Node folds repeated headers into one comma-joined string; a second ETag would show as a comma. */
function assertOneETag(headers: Record<string, string>, expected: string): void {
  assert.equal(headers.etag, expected);
}

describeBothFrameworks('browser caching: etagCache', (framework) => {
  const counter = workCounter();
  let app: BrowserApp;
  before(async () => {
    app = await startApp(framework, {
      routes: [
        {
          path: '/post',
          handler: (x) => {
            x.cacheControl({ public: true, maxAge: 60 });
            x.set('Content-Language', 'en');
            if (x.etagCache('v1')) return;
            x.send(counter.work());
          },
        },
        {
          path: '/weak',
          handler: (x) => {
            if (x.etagCache(7, { weak: true })) return;
            x.send(counter.work());
          },
        },
        {
          path: '/preset',
          handler: (x) => {
            x.set('ETag', '"framework-made"');
            if (x.etagCache('v2')) return;
            x.send(counter.work());
          },
        },
        {
          path: '/dated',
          handler: (x) => {
            x.set('Last-Modified', OLD);
            if (x.etagCache('v3')) return;
            x.send(counter.work());
          },
        },
        {
          path: '/gone',
          handler: (x) => {
            x.status(410);
            if (x.etagCache('v4')) return;
            x.send('gone');
          },
        },
        {
          path: '/not-found',
          handler: (x) => {
            x.status(404);
            if (x.etagCache('v5')) return;
            x.send('not found');
          },
        },
        {
          path: '/post',
          method: 'post',
          handler: (x) => {
            if (x.etagCache('v1')) return;
            x.send(counter.work());
          },
        },
      ],
    });
  });

  async function expectWork(run: () => Promise<unknown>, calls: number): Promise<void> {
    const start = counter.count;
    await run();
    assert.equal(counter.count - start, calls);
  }

  it('answers an unconditional GET with 200, the body and the ETag made from the key', async () => {
    await expectWork(async () => {
      const res = await app.http().get('/post').expect(200);
      assertOneETag(res.headers, '"v1"');
      assert.match(res.text, /^rendered #/);
    }, 1);
  });

  it('answers 304 without running the handler’s work when If-None-Match matches', async () => {
    await expectWork(async () => {
      const res = await app.http().get('/post').set('If-None-Match', '"v1"').expect(304);
      assert.equal(res.text, '');
      assertOneETag(res.headers, '"v1"');
      // RFC 9110 §15.4.5: the 304 keeps Cache-Control, drops representation metadata.
      assert.equal(res.headers['cache-control'], 'public, max-age=60');
      assert.equal(res.headers['content-type'], undefined);
      assert.equal(res.headers['content-language'], undefined);
    }, 0);
  });

  const matching = ['"x", "v1"', 'W/"v1"', '  "a,b" ,W/"v1"  ', '*'];
  for (const header of matching) {
    it(`answers 304 for If-None-Match ${header}`, async () => {
      await expectWork(() => app.http().get('/post').set('If-None-Match', header).expect(304), 0);
    });
  }

  it('answers 304 to a HEAD whose If-None-Match matches', async () => {
    await expectWork(() => app.http().head('/post').set('If-None-Match', '"v1"').expect(304), 0);
  });

  it('answers 304 even when the request says Cache-Control: no-cache (the origin is validating)', async () => {
    await app
      .http()
      .get('/post')
      .set('If-None-Match', '"v1"')
      .set('Cache-Control', 'no-cache')
      .expect(304);
  });

  it('sends the body with our ETag when If-None-Match names another version', async () => {
    await expectWork(async () => {
      const res = await app.http().get('/post').set('If-None-Match', '"v0"').expect(200);
      assertOneETag(res.headers, '"v1"');
    }, 1);
  });

  it('sends a weak ETag on request and matches it weakly', async () => {
    const res = await app.http().get('/weak').expect(200);
    assertOneETag(res.headers, 'W/"7"');
    await app.http().get('/weak').set('If-None-Match', '"7"').expect(304);
  });

  it('replaces an ETag set earlier, so only one goes out', async () => {
    const res = await app.http().get('/preset').expect(200);
    assertOneETag(res.headers, '"v2"');
    await app.http().get('/preset').set('If-None-Match', '"framework-made"').expect(200);
  });

  describe('when conditional headers are malformed', () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['an unterminated tag', { 'If-None-Match': '"v1' }],
      ['an unquoted tag', { 'If-None-Match': 'v1' }],
      ['a lower-case weak prefix', { 'If-None-Match': 'w/"v1"' }],
      ['commas only', { 'If-None-Match': ',,,' }],
      ['a 10 KB list without the tag', { 'If-None-Match': '"x", '.repeat(2100) }],
      ['an invalid date', { 'If-Modified-Since': 'yesterday' }],
      [
        'a non-GMT date after Last-Modified',
        { 'If-Modified-Since': 'Mon, 07 Nov 2094 08:49:37 PST' },
      ],
      ['an ISO date', { 'If-Modified-Since': '2094-01-01T00:00:00Z' }],
      [
        'a garbage If-None-Match beside a valid date',
        { 'If-None-Match': 'junk', 'If-Modified-Since': 'Mon, 07 Nov 2094 08:49:37 GMT' },
      ],
    ];
    for (const [label, headers] of cases) {
      it(`sends 200 with the body for ${label}`, async () => {
        await expectWork(async () => {
          const res = await app.http().get('/dated').set(headers).expect(200);
          assert.match(res.text, /^rendered #/);
        }, 1);
      });
    }
  });

  it('answers 304 to a valid If-Modified-Since against a Last-Modified set before it', async () => {
    await expectWork(
      () =>
        app
          .http()
          .get('/dated')
          .set('If-Modified-Since', 'Mon, 07 Nov 1994 08:49:37 GMT')
          .expect(304),
      0,
    );
  });

  it('reads legacy RFC 850 and asctime dates in If-Modified-Since', async () => {
    await app
      .http()
      .get('/dated')
      .set('If-Modified-Since', 'Sunday, 06-Nov-94 08:49:37 GMT')
      .expect(304);
    await app.http().get('/dated').set('If-Modified-Since', 'Sun Nov  6 08:49:37 1994').expect(304);
  });

  it('leaves a response that is not 2xx alone', async () => {
    const res = await app.http().get('/gone').set('If-None-Match', '"v4"').expect(410);
    assert.notEqual(res.headers.etag, '"v4"');
  });

  it('leaves a response the handler already made 404 alone', async () => {
    const res = await app.http().get('/not-found').set('If-None-Match', '"v5"').expect(404);
    assert.notEqual(res.headers.etag, '"v5"');
  });

  it('leaves a POST alone even when If-None-Match matches', async () => {
    await expectWork(async () => {
      const res = await app.http().post('/post').set('If-None-Match', '"v1"').expect(200);
      assert.notEqual(res.headers.etag, '"v1"');
    }, 1);
  });
});

describeBothFrameworks('browser caching: cacheControl, cacheExpires, noCache', (framework) => {
  let app: BrowserApp;
  before(async () => {
    app = await startApp(framework, {
      routes: [
        {
          path: '/merge',
          handler: (x) => {
            x.set('Cache-Control', 'no-transform, max-age=5');
            x.cacheControl({ public: true, maxAge: '30s' });
            x.send('ok');
          },
        },
        {
          path: '/replace',
          handler: (x) => {
            x.set('Cache-Control', 'no-transform');
            x.cacheControl({ private: true, maxAge: '1m' }, { replace: true });
            x.send('ok');
          },
        },
        {
          path: '/expires',
          handler: (x) => {
            x.cacheExpires('10m', { public: true });
            x.send('ok');
          },
        },
        {
          path: '/expires-known',
          handler: (x) => {
            x.set('Last-Modified', OLD);
            x.cacheExpires(new Date(Date.now() + 3_600_000));
            x.send('ok');
          },
        },
        {
          path: '/never',
          handler: (x) => {
            x.cacheExpires('never', { immutable: true });
            x.send('ok');
          },
        },
        {
          path: '/no-cache',
          handler: (x) => {
            x.cacheControl({ public: true, maxAge: 60 });
            x.noCache();
            x.send('secret');
          },
        },
      ],
    });
  });

  it('merges directives into an existing Cache-Control', async () => {
    const res = await app.http().get('/merge').expect(200);
    assert.equal(res.headers['cache-control'], 'public, no-transform, max-age=30');
  });

  it('replaces the Cache-Control on request', async () => {
    const res = await app.http().get('/replace').expect(200);
    assert.equal(res.headers['cache-control'], 'private, max-age=60');
  });

  it('sets max-age, Expires and Last-Modified consistently', async () => {
    const res = await app.http().get('/expires').expect(200);
    assert.equal(res.headers['cache-control'], 'public, max-age=600');
    const date = seconds(res.headers.date);
    assert.ok(Math.abs(seconds(res.headers.expires) - date - 600) <= 1);
    assert.ok(Math.abs(seconds(res.headers['last-modified']) - date) <= 1);
  });

  it('keeps a Last-Modified set before and reads a Date as the expiry', async () => {
    const res = await app.http().get('/expires-known').expect(200);
    assert.equal(res.headers['last-modified'], OLD);
    assert.match(res.headers['cache-control'] ?? '', /^max-age=(3599|3600)$/);
  });

  it('reads never as one year', async () => {
    const res = await app.http().get('/never').expect(200);
    assert.equal(res.headers['cache-control'], 'max-age=31536000, immutable');
  });

  it('sends the full do-not-store set', async () => {
    const res = await app.http().get('/no-cache').expect(200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers.pragma, 'no-cache');
    assert.equal(res.headers.expires, '0');
  });
});

describeBothFrameworks('browser caching: an app-wide noCache lifted by one route', (framework) => {
  let app: BrowserApp;
  before(async () => {
    app = await startApp(framework, {
      noCacheFirst: true,
      routes: [
        { path: '/private', handler: (x) => x.send('secret') },
        {
          path: '/public',
          handler: (x) => {
            x.noCache(false);
            x.cacheControl({ public: true, maxAge: '5m' });
            x.send('hello');
          },
        },
        {
          path: '/expiring',
          handler: (x) => {
            x.cacheExpires('1m');
            x.send('hello');
          },
        },
      ],
    });
  });

  it('keeps the default on other routes', async () => {
    const res = await app.http().get('/private').expect(200);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('lifts it with noCache(false)', async () => {
    const res = await app.http().get('/public').expect(200);
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
    assert.equal(res.headers.pragma, undefined);
    assert.equal(res.headers.expires, undefined);
  });

  it('lifts it with cacheExpires', async () => {
    const res = await app.http().get('/expiring').expect(200);
    assert.equal(res.headers['cache-control'], 'max-age=60');
    assert.equal(res.headers.pragma, undefined);
    assert.notEqual(res.headers.expires, '0');
  });
});

describeBothFrameworks('browser caching: cacheHeaders defaults', (framework) => {
  const counter = workCounter();
  let app: BrowserApp;
  before(async () => {
    app = await startApp(framework, {
      cacheHeaders: { cacheControl: { public: true, maxAge: '5m' } },
      routes: [
        { path: '/plain', handler: (x) => x.send('plain') },
        {
          path: '/own',
          handler: (x) => {
            x.cacheControl({ private: true, maxAge: 10 });
            x.send('own');
          },
        },
        {
          path: '/versioned',
          handler: (x) => {
            if (x.etagCache('v9')) return;
            x.send(counter.work());
          },
        },
        {
          path: '/broken',
          handler: (x) => {
            x.cacheControl({ public: true, maxAge: 60 });
            x.fail(500);
          },
        },
        { path: '/missing', handler: (x) => x.fail(404) },
        {
          path: '/not-found-cached',
          handler: (x) => {
            x.status(404);
            x.cacheControl({ maxAge: 30 });
            x.send('nothing here');
          },
        },
        { path: '/plain', method: 'post', handler: (x) => x.send('posted') },
      ],
    });
  });

  it('writes the defaults on a 200 that set no Cache-Control', async () => {
    const res = await app.http().get('/plain').expect(200);
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
  });

  it('never overwrites the Cache-Control a handler set', async () => {
    const res = await app.http().get('/own').expect(200);
    assert.equal(res.headers['cache-control'], 'private, max-age=10');
  });

  it('puts the same Cache-Control on the 304 as on the 200 (RFC 9110 §15.4.5)', async () => {
    const full = await app.http().get('/versioned').expect(200);
    const before304 = counter.count;
    const res = await app.http().get('/versioned').set('If-None-Match', '"v9"').expect(304);
    assert.equal(counter.count, before304);
    assert.equal(res.headers['cache-control'], full.headers['cache-control']);
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
  });

  it('marks a thrown 500 no-store even though the handler set max-age before failing', async () => {
    const res = await app.http().get('/broken').expect(500);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('marks a 404 without its own Cache-Control no-store', async () => {
    const res = await app.http().get('/missing').expect(404);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('keeps a Cache-Control a 404 set deliberately', async () => {
    const res = await app.http().get('/not-found-cached').expect(404);
    assert.equal(res.headers['cache-control'], 'max-age=30');
  });

  it('leaves a POST alone', async () => {
    const res = await app.http().post('/plain').expect(200);
    assert.equal(res.headers['cache-control'], undefined);
  });
});
