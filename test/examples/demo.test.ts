import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../examples/demo/app.ts';

describe('examples/demo', () => {
  const app = createApp({ delayMs: 0 });
  let server: Server;
  before(async () => {
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // Like curl: no Accept-Encoding (supertest would send `gzip, deflate`).
  const http = {
    get: (path: string) => request(server).get(path).set('Accept-Encoding', 'identity'),
    head: (path: string) => request(server).head(path).set('Accept-Encoding', 'identity'),
  };

  it('builds the slow report once: MISS, then HIT with Age and the same body', async () => {
    const miss = await http.get('/slow').expect(200);
    assert.equal(miss.headers['x-cache'], 'MISS');
    assert.equal(miss.body.build, 1);
    const hit = await http.get('/slow').expect(200);
    assert.equal(hit.headers['x-cache'], 'HIT');
    assert.match(String(hit.headers.age), /^\d+$/);
    assert.deepEqual(hit.body, miss.body);
    assert.equal(app.locals.builds, 1);
  });

  it('serves a browser (Accept-Encoding: gzip, deflate, br) the entry curl made', async () => {
    const browser = await request(server)
      .get('/slow')
      .set('Accept-Encoding', 'gzip, deflate, br')
      .expect(200);
    assert.equal(browser.headers['x-cache'], 'HIT');
    assert.equal(browser.body.build, 1);
    assert.equal(app.locals.builds, 1);
  });

  it('answers HEAD and a matching If-None-Match from the entry, without building', async () => {
    const head = await http.head('/slow').expect(200);
    assert.equal(head.headers['x-cache'], 'HIT');
    const etag = String(head.headers.etag);
    const revalidated = await http.get('/slow').set('If-None-Match', etag).expect(304);
    assert.equal(revalidated.text, '');
    assert.equal(app.locals.builds, 1);
  });

  it('rebuilds after POST /purge, and never caches the POST', async () => {
    await request(server).post('/purge').expect(200, 'purged\n');
    const after = await http.get('/slow').expect(200);
    assert.equal(after.headers['x-cache'], 'MISS');
    assert.equal(after.body.build, 2);
    // A second POST purges again (it was not answered from the cache): the next GET rebuilds.
    const again = await request(server).post('/purge').expect(200, 'purged\n');
    assert.notEqual(again.headers['x-cache'], 'HIT');
    const rebuilt = await http.get('/slow').expect(200);
    assert.equal(rebuilt.body.build, 3);
    assert.equal(app.locals.builds, 3);
  });

  it('prints the curl commands when the server starts', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      ['--conditions=@larder/source', '--import', 'tsx', 'examples/demo/server.ts'],
      { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        if (out.includes('/purge')) resolve();
      });
      child.on('exit', () => reject(new Error(`server exited: ${out}`)));
    });
    child.kill();
    // The port printed is the one bound, not the 0 asked for.
    assert.match(out, /curl -i http:\/\/127\.0\.0\.1:[1-9]\d*\/slow/);
    assert.match(out, /If-None-Match/);
  });
});
