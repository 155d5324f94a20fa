import assert from 'node:assert/strict';
import { after, describe, it, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisSkip, startRedis } from '../../../test/helpers/servers/redis.ts';
import { testOptionErrors } from '../../core/test/option-errors.ts';
import { createRedisStore } from '../src/redis-store.ts';

describe('createRedisStore options', () => {
  const client = new Redis({ lazyConnect: true });
  testOptionErrors(createRedisStore, [
    [
      'no client and no url',
      {},
      TypeError,
      /createRedisStore.*exactly one of options "client" and "url"/,
    ],
    ['both client and url', { client, url: 'redis://x' }, TypeError, /exactly one/],
    [
      'a client that is not ioredis',
      { client: { get() {} } },
      TypeError,
      /createRedisStore.*"client".*ioredis/,
    ],
    [
      'a url that is not redis://',
      { url: 'http://user:hunter2@x' },
      TypeError,
      /createRedisStore.*"url".*"http"/,
    ],
    ['an empty prefix', { client, prefix: '' }, TypeError, /createRedisStore.*"prefix".*""/],
    ['timeout: 0', { client, timeout: 0 }, RangeError, /createRedisStore.*"timeout".*0/],
    ['timeout: "soon"', { client, timeout: 'soon' }, RangeError, /"timeout".*"soon"/],
    ['ttl: -1', { client, ttl: -1 }, RangeError, /createRedisStore.*"ttl".*-1/],
    [
      'breaker.failures: 0',
      { client, breaker: { failures: 0 } },
      RangeError,
      /createRedisStore.*"breaker".*"failures"/,
    ],
    [
      'nearCache: "yes"',
      { client, nearCache: 'yes' },
      TypeError,
      /createRedisStore.*"nearCache".*"yes"/,
    ],
    [
      'an unknown option',
      { client, keyPrefix: 'x' },
      TypeError,
      /createRedisStore.*unknown option "keyPrefix"/,
    ],
  ]);

  it('never shows the password of a url in its message', () => {
    assert.throws(
      () => createRedisStore({ url: 'http://admin:hunter2@db.internal:6379' }),
      (error: Error) =>
        !error.message.includes('hunter2') && !error.message.includes('db.internal'),
    );
  });
});

if (redisSkip !== undefined) {
  test('redis credentials', { skip: redisSkip }, () => {});
} else {
  describe('createRedisStore with credentials in the url', async () => {
    const redis = await startRedis({
      args: [
        '--requirepass',
        's3cret-pass',
        '--user',
        'app',
        'on',
        '>app-pass',
        '~*',
        '&*',
        '+@all',
      ],
    });
    after(() => redis.stop());

    it('authenticates with a password and selects the db given in the path', async () => {
      const store = createRedisStore({
        url: `redis://:s3cret-pass@127.0.0.1:${redis.port}/3`,
        prefix: 'auth:',
      });
      after(() => store.close());
      await store.set('k', 'v');
      assert.equal(await store.get('k'), 'v');
      assert.equal(
        redis.cli('-a', 's3cret-pass', '--no-auth-warning', '-n', '3', 'EXISTS', 'auth:k'),
        '1',
      );
    });

    it('authenticates as an ACL user', async () => {
      const store = createRedisStore({
        url: `redis://app:app-pass@127.0.0.1:${redis.port}`,
        prefix: 'acl:',
      });
      after(() => store.close());
      await store.set('k', 1);
      assert.equal(await store.increment('k'), 2);
    });

    it('reports a wrong password without the password in any error', async () => {
      const store = createRedisStore({
        url: `redis://app:wrong-pass-123@127.0.0.1:${redis.port}`,
        prefix: 'bad:',
        timeout: '200ms',
      });
      after(() => store.close());
      const errors: Error[] = [];
      for (let i = 0; i < 3; i++) await store.get('k').catch((error: Error) => errors.push(error));
      assert.equal(errors.length, 3);
      const text = errors
        .map((e) => `${e.message} ${String((e.cause as Error | undefined)?.message)}`)
        .join('\n');
      assert.ok(!text.includes('wrong-pass-123'), text);
    });
  });
}
