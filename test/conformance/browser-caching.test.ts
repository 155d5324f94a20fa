import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseHttpDate } from '@larder/http';
import type { Response } from 'supertest';
import {
  type BrowserApp,
  type BrowserExchange,
  describeBothFrameworks,
  headerLines,
  sends,
  startApp,
  versioned,
  workCounter,
} from '../helpers/browser-caching-matrix.ts';

const OLD = 'Sun, 06 Nov 1994 08:49:37 GMT';

function seconds(value: string | undefined): number {
  const time = parseHttpDate(value);
  assert.ok(time !== undefined, `expected an HTTP date, got ${value}`);
  return time / 1000;
}

/** Exactly one ETag line went out, and it is `expected` (counted in the raw header lines). */
function assertOneETag(res: Response, expected: string): void {
  assert.deepEqual(headerLines(res, 'etag'), [expected]);
}

/** One test per entry: a GET of `path` answers `status` with exactly that Cache-Control. */
function itSendsCacheControl(
  app: () => BrowserApp,
  rows: Record<string, readonly [path: string, status: number, cacheControl: string]>,
): void {
  for (const [title, [path, status, cacheControl]] of Object.entries(rows)) {
    it(title, async () => {
      const res = await app().http().get(path).expect(status);
      assert.equal(res.headers['cache-control'], cacheControl);
    });
  }
}

describeBothFrameworks('browser caching: etagCache', (framework) => {
  const counter = workCounter();
  let app: BrowserApp;
  before(async () => {
    app = await startApp(framework, {
      routes: [
        versioned('/post', 'v1', counter, {
          prepare: (x) => {
            x.cacheControl({ public: true, maxAge: 60 });
            x.set('Content-Language', 'en');
          },
        }),
        versioned('/weak', 7, counter, { options: { weak: true } }),
        versioned('/preset', 'v2', counter, { prepare: (x) => x.set('ETag', '"framework-made"') }),
        versioned('/dated', 'v3', counter, { prepare: (x) => x.set('Last-Modified', OLD) }),
        versioned('/gone', 'v4', counter, { prepare: (x) => x.status(410) }),
        versioned('/not-found', 'v5', counter, { prepare: (x) => x.status(404) }),
        versioned('/post', 'v1', counter, { method: 'post' }),
        versioned('/post', 'v1', counter, { method: 'put' }),
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
      assertOneETag(res, '"v1"');
      assert.match(res.text, /^rendered #/);
    }, 1);
  });

  it('answers 304 without running the handler’s work when If-None-Match matches', async () => {
    await expectWork(async () => {
      const res = await app.http().get('/post').set('If-None-Match', '"v1"').expect(304);
      assert.equal(res.text, '');
      assertOneETag(res, '"v1"');
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
    await expectWork(
      () =>
        app
          .http()
          .get('/post')
          .set('If-None-Match', '"v1"')
          .set('Cache-Control', 'no-cache')
          .expect(304),
      0,
    );
  });

  it('sends the body with our ETag when If-None-Match names another version', async () => {
    await expectWork(async () => {
      const res = await app.http().get('/post').set('If-None-Match', '"v0"').expect(200);
      assertOneETag(res, '"v1"');
    }, 1);
  });

  it('sends a weak ETag on request and matches it weakly', async () => {
    const res = await app.http().get('/weak').expect(200);
    assertOneETag(res, 'W/"7"');
    await expectWork(() => app.http().get('/weak').set('If-None-Match', '"7"').expect(304), 0);
  });

  it('replaces an ETag set earlier, so only one goes out', async () => {
    const res = await app.http().get('/preset').expect(200);
    assertOneETag(res, '"v2"');
    await app.http().get('/preset').set('If-None-Match', '"framework-made"').expect(200);
  });

  describe('when a precondition fails (RFC 9110 §13.1.1, §13.1.4, order of §13.2.2)', () => {
    // [label, method, path, request headers, expected status, handler runs]
    const cases: Array<[string, 'get' | 'put', string, Record<string, string>, number, number]> = [
      ['If-Match names another version', 'get', '/post', { 'If-Match': '"v0"' }, 412, 0],
      ['If-Match names the version weakly', 'get', '/post', { 'If-Match': 'W/"v1"' }, 412, 0],
      ['If-Match names the current version', 'get', '/post', { 'If-Match': '"x", "v1"' }, 200, 1],
      ['If-Match is *', 'get', '/post', { 'If-Match': '*' }, 200, 1],
      [
        'a PUT whose If-Match names another version',
        'put',
        '/post',
        { 'If-Match': '"v0"' },
        412,
        0,
      ],
      [
        'a PUT whose If-Match names the current version',
        'put',
        '/post',
        { 'If-Match': '"v1"' },
        200,
        1,
      ],
      [
        'If-Match fails while If-None-Match would match',
        'get',
        '/post',
        { 'If-Match': '"v0"', 'If-None-Match': '"v1"' },
        412,
        0,
      ],
      [
        'If-Match holds and If-None-Match matches',
        'get',
        '/post',
        { 'If-Match': '"v1"', 'If-None-Match': '"v1"' },
        304,
        0,
      ],
      [
        'If-Unmodified-Since is before Last-Modified',
        'get',
        '/dated',
        { 'If-Unmodified-Since': 'Sat, 05 Nov 1994 08:49:37 GMT' },
        412,
        0,
      ],
      [
        'If-Unmodified-Since equals Last-Modified',
        'get',
        '/dated',
        { 'If-Unmodified-Since': OLD },
        200,
        1,
      ],
      [
        'If-Unmodified-Since is not a date',
        'get',
        '/dated',
        { 'If-Unmodified-Since': 'soon' },
        200,
        1,
      ],
      [
        'If-Match holds, so an old If-Unmodified-Since is ignored',
        'get',
        '/dated',
        { 'If-Match': '"v3"', 'If-Unmodified-Since': 'Sat, 05 Nov 1994 08:49:37 GMT' },
        200,
        1,
      ],
      ['the response would be 410', 'get', '/gone', { 'If-Match': '"v0"' }, 410, 1],
    ];
    for (const [label, method, path, headers, status, runs] of cases) {
      it(`answers ${status} and runs the handler's work ${runs} time(s) when ${label}`, async () => {
        await expectWork(async () => {
          const res = await app.http()[method](path).set(headers).expect(status);
          if (status === 412) {
            assert.equal(res.text, '');
            assert.equal(res.headers['content-type'], undefined);
          }
        }, runs);
      });
    }

    it('sends the current ETag with the 412 of a GET, so the client can refetch', async () => {
      const res = await app.http().get('/post').set('If-Match', '"v0"').expect(412);
      assertOneETag(res, '"v1"');
    });
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
        'an empty If-None-Match beside a valid date',
        { 'If-None-Match': '', 'If-Modified-Since': 'Mon, 07 Nov 2094 08:49:37 GMT' },
      ],
      ['a 10 KB If-Modified-Since', { 'If-Modified-Since': `${'Mon, '.repeat(2500)}` }],
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
    await expectWork(async () => {
      await app
        .http()
        .get('/dated')
        .set('If-Modified-Since', 'Sunday, 06-Nov-94 08:49:37 GMT')
        .expect(304);
      await app
        .http()
        .get('/dated')
        .set('If-Modified-Since', 'Sun Nov  6 08:49:37 1994')
        .expect(304);
    }, 0);
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

describeBothFrameworks(
  'browser caching: etagCache against the peers’ ETag/304 bugs',
  (framework) => {
    const counter = workCounter();
    const errors: unknown[] = [];
    let app: BrowserApp;
    before(async () => {
      app = await startApp(framework, {
        routes: [
          versioned('/a', 'v-a', counter),
          versioned('/b', 'v-b', counter),
          {
            path: '/negotiated',
            handler: (x) => {
              // The variant is part of the version key, and Vary says so (expressjs/express#1560).
              const type = x.header('accept')?.includes('json') ? 'json' : 'html';
              x.set('Vary', 'Accept');
              if (x.etagCache(`v1-${type}`)) return;
              x.send(counter.work());
            },
          },
          versioned('/metadata', 'v1', counter, {
            prepare: (x) => {
              x.set('Vary', 'Accept-Encoding');
              x.set('Content-Location', '/metadata.html');
              x.set('Last-Modified', OLD);
              x.set('Content-Type', 'text/html');
              x.cacheExpires('1m');
            },
          }),
          {
            path: '/late',
            handler: (x) => {
              x.writeEarly('started;');
              x.endEarly(`etagCache returned ${x.etagCache('v1')}`);
            },
          },
          ...(['', Number.NaN] as const).map((key) => ({
            path: `/bad-key/${typeof key}`,
            handler: (x: BrowserExchange) => {
              try {
                x.etagCache(key);
              } catch (error) {
                errors.push(error);
                throw error;
              }
            },
          })),
        ],
      });
    });

    it('answers 304 only for the URL whose tag was sent, never from a global registry', async () => {
      const a = await app.http().get('/a').expect(200);
      const start = counter.count;
      await app.http().get('/b').set('If-None-Match', a.headers.etag!).expect(200);
      await app.http().get('/a').set('If-None-Match', a.headers.etag!).expect(304);
      assert.equal(counter.count - start, 1);
    });

    it('does not answer 304 when the tag of another Accept variant is sent', async () => {
      const html = await app.http().get('/negotiated').set('Accept', 'text/html').expect(200);
      const json = await app
        .http()
        .get('/negotiated')
        .set('Accept', 'application/json')
        .set('If-None-Match', html.headers.etag!)
        .expect(200);
      assert.notEqual(json.headers.etag, html.headers.etag);
      await app
        .http()
        .get('/negotiated')
        .set('Accept', 'application/json')
        .set('If-None-Match', json.headers.etag!)
        .expect(304);
    });

    it('keeps ETag, Vary, Cache-Control, Expires, Content-Location and Last-Modified on the 304 (RFC 9110 §15.4.5)', async () => {
      const full = await app.http().get('/metadata').expect(200);
      const res = await app.http().get('/metadata').set('If-None-Match', '"v1"').expect(304);
      for (const name of ['vary', 'cache-control', 'content-location', 'last-modified']) {
        assert.equal(res.headers[name], full.headers[name], name);
      }
      assertOneETag(res, '"v1"');
      assert.ok(parseHttpDate(res.headers.expires) !== undefined);
      assert.equal(res.headers['content-type'], undefined);
    });

    it('answers an unconditional HEAD with 200 and the ETag, and a matching one with 304', async () => {
      const res = await app.http().head('/metadata').expect(200);
      assertOneETag(res, '"v1"');
      await app.http().head('/metadata').set('If-None-Match', 'W/"v1"').expect(304);
    });

    it('neither throws nor answers 304 once the headers are already sent', async () => {
      for (const inm of [undefined, '"v1"']) {
        const req = app.http().get('/late');
        const res = await (inm === undefined ? req : req.set('If-None-Match', inm)).expect(200);
        assert.equal(res.text, 'started;etagCache returned false');
        assert.deepEqual(headerLines(res, 'etag'), []);
      }
    });

    for (const [label, path] of [
      ['an empty key', '/bad-key/string'],
      ['a non-finite key', '/bad-key/number'],
    ] as const) {
      it(`throws a TypeError naming etagCache for ${label}; the framework answers 500`, async () => {
        await app.http().get(path).expect(500);
        assert.ok(errors.at(-1) instanceof TypeError);
        assert.match((errors.at(-1) as Error).message, /^etagCache: key/);
      });
    }
  },
);

describeBothFrameworks('browser caching: cacheControl, cacheExpires, noCache', (framework) => {
  let app: BrowserApp;
  before(async () => {
    app = await startApp(framework, {
      routes: [
        sends('/merge', (x) => {
          x.set('Cache-Control', 'no-transform, max-age=5');
          x.cacheControl({ public: true, maxAge: '30s' });
        }),
        sends('/replace', (x) => {
          x.set('Cache-Control', 'no-transform');
          x.cacheControl({ private: true, maxAge: '1m' }, { replace: true });
        }),
        sends('/expires', (x) => x.cacheExpires('10m', { public: true })),
        sends('/expires-known', (x) => {
          x.set('Last-Modified', OLD);
          x.cacheExpires(new Date(Date.now() + 3_600_000));
        }),
        sends('/never', (x) => x.cacheExpires('never', { immutable: true })),
        sends('/no-cache', (x) => {
          x.cacheControl({ public: true, maxAge: 60 });
          x.noCache();
        }),
        sends('/expired', (x) => x.cacheExpires(new Date(Date.now() - 3_600_000))),
        sends('/no-cache-then-control', (x) => {
          x.noCache();
          x.cacheControl({ public: true, maxAge: 60 });
        }),
      ],
    });
  });

  it('marks a response whose expiry Date has passed as already expired', async () => {
    const res = await app.http().get('/expired').expect(200);
    assert.equal(res.headers['cache-control'], 'max-age=0');
    assert.ok(seconds(res.headers.expires) <= seconds(res.headers.date) - 3599);
    assert.ok(Math.abs(seconds(res.headers['last-modified']) - seconds(res.headers.date)) <= 1);
  });

  it('keeps no-store when cacheControl merges after noCache (only noCache(false) or cacheExpires lift it)', async () => {
    const res = await app.http().get('/no-cache-then-control').expect(200);
    assert.equal(res.headers['cache-control'], 'public, no-store, max-age=60');
    assert.equal(res.headers.pragma, 'no-cache');
  });

  itSendsCacheControl(() => app, {
    'merges directives into an existing Cache-Control': [
      '/merge',
      200,
      'public, no-transform, max-age=30',
    ],
    'replaces the Cache-Control on request': ['/replace', 200, 'private, max-age=60'],
    'reads never as one year': ['/never', 200, 'max-age=31536000, immutable'],
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
        sends('/private', () => {}, 'secret'),
        sends('/public', (x) => {
          x.noCache(false);
          x.cacheControl({ public: true, maxAge: '5m' });
        }),
        sends('/expiring', (x) => x.cacheExpires('1m')),
      ],
    });
  });

  itSendsCacheControl(() => app, {
    'keeps the default on other routes': ['/private', 200, 'no-store'],
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
        sends('/plain', () => {}),
        sends('/own', (x) => x.cacheControl({ private: true, maxAge: 10 })),
        versioned('/versioned', 'v9', counter),
        sends('/broken', (x) => {
          x.cacheControl({ public: true, maxAge: 60 });
          x.fail(500);
        }),
        sends('/missing', (x) => x.fail(404)),
        sends('/not-found-cached', (x) => {
          x.status(404);
          x.cacheControl({ maxAge: 30 });
        }),
        sends('/plain', () => {}, 'posted', 'post'),
      ],
    });
  });

  itSendsCacheControl(() => app, {
    'writes the defaults on a 200 that set no Cache-Control': [
      '/plain',
      200,
      'public, max-age=300',
    ],
    'marks a thrown 500 no-store even though the handler set max-age before failing': [
      '/broken',
      500,
      'no-store',
    ],
    'marks a 404 without its own Cache-Control no-store': ['/missing', 404, 'no-store'],
    'keeps a Cache-Control a 404 set deliberately': ['/not-found-cached', 404, 'max-age=30'],
  });

  it('never overwrites the Cache-Control a handler set, nor lets it change the defaults', async () => {
    const res = await app.http().get('/own').expect(200);
    assert.equal(res.headers['cache-control'], 'private, max-age=10');
    const after = await app.http().get('/plain').expect(200);
    assert.equal(after.headers['cache-control'], 'public, max-age=300');
  });

  it('puts the same Cache-Control on the 304 as on the 200 (RFC 9110 §15.4.5)', async () => {
    const full = await app.http().get('/versioned').expect(200);
    const before304 = counter.count;
    const res = await app.http().get('/versioned').set('If-None-Match', '"v9"').expect(304);
    assert.equal(counter.count, before304);
    assert.equal(res.headers['cache-control'], full.headers['cache-control']);
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
  });

  it('leaves a POST alone', async () => {
    const res = await app.http().post('/plain').expect(200);
    assert.equal(res.headers['cache-control'], undefined);
  });
});
