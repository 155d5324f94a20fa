import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type PostgresServer,
  postgresMissing,
  startPostgres,
} from '../../../test/helpers/servers/postgres.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/shared-app.ts', import.meta.url));

interface AppProcess {
  readonly child: ChildProcess;
  readonly base: string;
}

async function startApp(name: string, url: string): Promise<AppProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@larder/source', '--import', 'tsx', FIXTURE],
    {
      env: { ...process.env, APP_NAME: name, PG_URL: url, PG_TABLE: 'shared' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, base: `http://127.0.0.1:${Number.parseInt(chunk.toString(), 10)}` };
}

// Both processes answer for one site, as behind a load balancer: the same Host reaches either.
function call(app: AppProcess, method: string, path: string) {
  return new Promise<{ status: number; text: string; cache: string | undefined }>(
    (resolve, reject) => {
      const req = httpRequest(
        app.base + path,
        { method, headers: { host: 'shop.test' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString(),
              cache: res.headers['x-cache'] as string | undefined,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

async function get(app: AppProcess, path: string) {
  const res = await call(app, 'GET', path);
  assert.equal(res.status, 200);
  return res;
}

/**
 * The response is sent before its entry is written: asks `app` until it answers `path` from the
 * table (these apps keep nothing in process), so the entry is there for the other process too.
 */
async function stored(app: AppProcess, path: string) {
  for (let i = 0; i < 100; i++) {
    if ((await get(app, path)).cache === 'HIT') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`${path} was never stored`);
}

async function post(app: AppProcess, path: string): Promise<void> {
  assert.equal((await call(app, 'POST', path)).status, 200);
}

describe('two app processes sharing one PostgreSQL table', {
  skip: postgresMissing(),
  timeout: 60_000,
}, () => {
  let server: PostgresServer;
  let a: AppProcess;
  let b: AppProcess;
  before(async () => {
    server = await startPostgres();
    [a, b] = await Promise.all([
      startApp('A', server.connectionString),
      startApp('B', server.connectionString),
    ]);
  });
  after(async () => {
    for (const app of [a, b]) {
      app?.child.kill('SIGKILL');
    }
    await server.destroy();
  });

  test('an entry stored by one process is a hit in the other', async () => {
    const first = await get(a, '/item/1');
    assert.equal(first.text, 'item 1 computed by A (#1)');
    await stored(a, '/item/1');
    const other = await get(b, '/item/1');
    assert.equal(other.text, 'item 1 computed by A (#1)');
    assert.equal(other.cache, 'HIT');
  });

  test('invalidating a tag in one process makes the other recompute', async () => {
    await get(a, '/item/2');
    await stored(a, '/item/2');
    assert.equal((await get(b, '/item/2')).cache, 'HIT');
    await post(b, '/admin/tags/items');
    const after = await get(a, '/item/2');
    assert.equal(after.cache, 'MISS');
    assert.match(after.text, /^item 2 computed by A \(#\d+\)$/);
    assert.notEqual(after.text, 'item 2 computed by A (#2)');
    await stored(a, '/item/2');
    assert.equal((await get(b, '/item/2')).text, after.text, 'the new entry is shared again');
  });

  test('invalidating a path in one process makes the other recompute it, and only it', async () => {
    const three = await get(b, '/item/3');
    const four = await get(b, '/item/4');
    await stored(b, '/item/3');
    await stored(b, '/item/4');
    assert.equal((await get(a, '/item/3')).text, three.text);
    await post(a, '/admin/path?path=/item/3');
    const again = await get(b, '/item/3');
    assert.equal(again.cache, 'MISS');
    assert.notEqual(again.text, three.text);
    const other = await get(a, '/item/4');
    assert.equal(other.cache, 'HIT');
    assert.equal(other.text, four.text);
  });
});
