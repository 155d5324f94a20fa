import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResponseCache, type ResponseCacheOptions } from '@larder/http';
import { counted, engineWith, get, ok, run } from './helpers.ts';

const withCookie = (cookie: string, path = '/a') => get(path, { cookie });

/** Runs the requests in order through one engine; returns the handler's calls and the stats. */
async function through(options: ResponseCacheOptions, requests: ReturnType<typeof get>[]) {
  const { engine } = engineWith(options);
  const handler = counted((n, r) => ok(`${String(r.headers.cookie ?? '-')} ${n}`));
  const bodies: string[] = [];
  for (const request of requests) {
    bodies.push(String((await run(engine, request, handler)).reply.body));
  }
  return { calls: handler.calls, bodies, stats: engine.stats() };
}

describe('requests with Cookie', () => {
  test('are neither served from nor stored in the cache by default, counted as "cookie"', async () => {
    const { calls, bodies, stats } = await through({}, [
      get('/a'),
      withCookie('sid=alice'),
      withCookie('sid=bob'),
      get('/a'),
    ]);
    assert.deepEqual(bodies, ['- 1', 'sid=alice 2', 'sid=bob 3', '- 1']);
    assert.equal(calls, 3);
    assert.deepEqual(stats.bypass, { cookie: 2 });
  });

  test('share the entry when every cookie is one the route ignores', async () => {
    const { calls } = await through({ cookies: { ignore: ['_ga', '_ga_*'] } }, [
      get('/a'),
      withCookie('_ga=GA1.1.1'),
      withCookie('_ga=GA1.1.2; _ga_ABC123=GS1.1; ;'),
    ]);
    assert.equal(calls, 1);
  });

  test('bypass when any cookie is not ignored, whatever else the header holds', async () => {
    const { calls, stats } = await through({ cookies: { ignore: ['_ga'] } }, [
      get('/a'),
      withCookie('_ga=1; sid=alice'),
      withCookie('sid'),
      withCookie('_gax=1'),
    ]);
    assert.equal(calls, 4);
    assert.deepEqual(stats.bypass, { cookie: 3 });
  });

  test('key on the values of the cookies the route keys, an absent one apart from an empty one', async () => {
    const { calls, bodies } = await through({ cookies: { key: ['theme'], ignore: ['_ga'] } }, [
      withCookie('theme=dark'),
      withCookie('theme=light'),
      withCookie('_ga=1; theme=dark'),
      withCookie('theme='),
      get('/a'),
      withCookie('_ga=2'),
    ]);
    assert.equal(calls, 4);
    assert.deepEqual(bodies, [
      'theme=dark 1',
      'theme=light 2',
      'theme=dark 1',
      'theme= 3',
      '- 4',
      '- 4',
    ]);
  });

  test('store a response that says Vary: Cookie on a route that keys its cookies', async () => {
    const { engine } = engineWith({ cookies: { key: ['theme'] } });
    const handler = counted((n) => ok(`${n}`, { vary: 'Cookie' }));
    await run(engine, withCookie('theme=dark'), handler);
    const hit = await run(engine, withCookie('theme=dark'), handler);
    assert.equal(hit.reply.headers['x-cache'], 'HIT');
    assert.equal(handler.calls, 1);
  });

  test('bypass a keyed route when another cookie comes along', async () => {
    const { calls, stats } = await through({ cookies: { key: ['theme'] } }, [
      withCookie('theme=dark'),
      withCookie('theme=dark; sid=alice'),
    ]);
    assert.equal(calls, 2);
    assert.deepEqual(stats.bypass, { cookie: 1 });
  });

  test('share the entry whatever the cookies when the route allows them all', async () => {
    const { calls } = await through({ cookies: true }, [withCookie('sid=a'), withCookie('sid=b')]);
    assert.equal(calls, 1);
  });

  test('still bypass with Authorization when cookies are allowed', async () => {
    const { calls, stats } = await through({ cookies: true }, [
      withCookie('sid=a'),
      get('/a', { cookie: 'sid=a', authorization: 'Bearer a' }),
    ]);
    assert.equal(calls, 2);
    assert.deepEqual(stats.bypass, { authorization: 1 });
  });

  test('never store a response that says Vary: Cookie, even on a route that allows cookies', async () => {
    const { engine } = engineWith({ cookies: true });
    const handler = counted(() => ok('x', { vary: 'Cookie' }));
    await run(engine, withCookie('sid=a'), handler);
    await run(engine, withCookie('sid=a'), handler);
    assert.equal(handler.calls, 2);
    assert.deepEqual(engine.stats().bypass, { 'vary-cookie': 2 });
  });
});

describe('the cookies option', () => {
  const bad: Array<[unknown, RegExp]> = [
    ['yes', /"cookies".*'yes'/],
    [['_ga'], /"cookies".*\[ '_ga' \]/],
    [{ ignore: '_ga' }, /"cookies.ignore".*'_ga'/],
    [{ key: ['a b'] }, /"cookies.key".*'a b'/],
    [{ ignore: ['*'] }, /"cookies.ignore".*'\*'/],
    [{ ignore: ['a'], key: ['a'] }, /both ignores and keys.*'a'/],
    [{ keys: ['theme'] }, /unknown field 'keys'/],
  ];
  for (const [value, message] of bad) {
    test(`throws a TypeError naming responseCache and the value for ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => createResponseCache({ cookies: value } as ResponseCacheOptions),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.startsWith('responseCache:') &&
          message.test(error.message),
      );
    });
  }
});
