import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisSkip, startRedis } from '../../../test/helpers/servers/redis.ts';
import {
  findBinary,
  freePort,
  missingBinary,
  startServer,
} from '../../../test/helpers/servers/server-process.ts';
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

  const openssl = findBinary('openssl');
  describe('createRedisStore over TLS', {
    skip: openssl ? false : missingBinary('openssl', 'openssl'),
  }, () => {
    it('talks to a TLS-only Redis through a client given its CA, and fails cleanly without it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'larder-redis-tls-'));
      after(() => rmSync(dir, { recursive: true, force: true }));
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      execFileSync(
        openssl as string,
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { stdio: 'ignore' },
      );
      const port = await freePort();
      const server = await startServer(
        findBinary('redis-server') as string,
        [
          '--port',
          '0',
          '--tls-port',
          String(port),
          '--tls-cert-file',
          cert,
          '--tls-key-file',
          key,
          '--tls-auth-clients',
          'no',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { port },
      );
      after(() => server.stop());
      const client = new Redis({ host: '127.0.0.1', port, tls: { ca: readFileSync(cert) } });
      after(() => client.disconnect());
      const store = createRedisStore({ client, prefix: 'tls:' });
      await store.set('k', Buffer.from([0, 1, 2]));
      assert.deepEqual(await store.get('k'), Buffer.from([0, 1, 2]));

      // rediss:// without the CA: the self-signed certificate is refused; the store rejects.
      const untrusted = createRedisStore({
        url: `rediss://127.0.0.1:${port}`,
        prefix: 'tls:',
        timeout: '200ms',
      });
      after(() => untrusted.close());
      await assert.rejects(untrusted.get('k'), /not connected|circuit open|no answer/);
    });
  });
}
