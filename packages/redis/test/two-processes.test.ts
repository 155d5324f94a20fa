import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, describe, it, test } from 'node:test';
import { redisSkip, startRedis } from '../../../test/helpers/servers/redis.ts';
import { until } from './fixtures/load.ts';
import { type AppProcess, startAppProcess } from './fixtures/processes.ts';

// Behind a load balancer every process sees the site's own Host, not its own port.
const text = (url: string) =>
  new Promise<string>((resolve, reject) => {
    get(url, { headers: { host: 'shop.example' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });

/** GETs `path` from `app` and resolves whether its handler ran (a miss) or not (a hit). */
async function ranHandler(app: AppProcess, path: string): Promise<boolean> {
  const before = (await app.calls())[path] ?? 0;
  const expected = `page ${path.slice('/page/'.length)}`;
  assert.equal(await text(app.url + path), expected);
  return ((await app.calls())[path] ?? 0) > before;
}

async function invalidate(app: AppProcess, query: string): Promise<void> {
  const response = await fetch(`${app.url}/_admin/invalidate?${query}`, { method: 'POST' });
  assert.equal(response.status, 200);
}

if (redisSkip !== undefined) {
  test('two app processes on one Redis', { skip: redisSkip }, () => {});
} else {
  const redis = await startRedis();
  after(() => redis.stop());

  for (const near of [false, true]) {
    describe(`two app processes on one Redis, near cache ${near ? 'on' : 'off'}`, () => {
      let a: AppProcess;
      let b: AppProcess;
      const prefix = `apps-${near}:`;
      before(async () => {
        [a, b] = await Promise.all([
          startAppProcess(redis.url, prefix, near),
          startAppProcess(redis.url, prefix, near),
        ]);
        if (near) {
          await until(
            async () =>
              (
                await Promise.all(
                  [a, b].map((p) =>
                    fetch(`${p.url}/_admin/connected`).then(
                      (r) => r.json() as Promise<{ connected: boolean | null }>,
                    ),
                  ),
                )
              ).every((s) => s.connected === true),
            5000,
            'both near caches subscribed',
          );
        }
      });
      after(() => Promise.all([a?.stop(), b?.stop()]));

      it('an entry stored by one process is a hit in the other', async () => {
        assert.equal(await ranHandler(a, '/page/s0/1'), true, 'A computes it');
        assert.equal(await ranHandler(b, '/page/s0/1'), false, 'B serves what A stored');
        assert.equal(await ranHandler(b, '/page/s0/1'), false, 'and again');
      });

      it('200 concurrent cold requests split across both processes run the handler at most twice', async (t) => {
        const path = '/slow/stampede';
        const answers = await Promise.all(
          Array.from({ length: 200 }, (_, i) => text((i % 2 === 0 ? a : b).url + path)),
        );
        assert.ok(answers.every((body) => body === 'slow stampede'));
        const runs = ((await a.calls())[path] ?? 0) + ((await b.calls())[path] ?? 0);
        t.diagnostic(`handler runs: ${runs}`);
        assert.ok(runs >= 1 && runs <= 2, `the handler ran ${runs} times`);
      });

      for (const [by, query, path] of [
        ['tag', 'tag=section:s1', '/page/s1/1'],
        ['path', `path=${encodeURIComponent('/page/s2/1')}`, '/page/s2/1'],
        ['prefix', `prefix=${encodeURIComponent('/page/s3/')}`, '/page/s3/1'],
      ] as const) {
        it(`an invalidation by ${by} in one process is seen by the next request in the other`, async () => {
          await ranHandler(a, path);
          assert.equal(await ranHandler(b, path), false, 'B holds it before');
          await invalidate(a, query);
          assert.equal(await ranHandler(b, path), true, 'B recomputes it after');
          assert.equal(await ranHandler(a, path), false, 'A sees what B stored');
        });
      }
    });
  }
}
