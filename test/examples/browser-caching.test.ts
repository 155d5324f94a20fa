import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../examples/browser-caching/app.ts';

describe('examples/browser-caching', () => {
  const app = createApp();
  let server: Server;
  before(async () => {
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves an article with ETag, max-age, Expires and the article’s Last-Modified', async () => {
    const res = await request(server).get('/articles/1').expect(200);
    assert.equal(res.headers.etag, '"article-1-v1"');
    assert.equal(res.headers['cache-control'], 'public, max-age=60');
    assert.ok(res.headers.expires);
    assert.equal(res.headers['last-modified'], 'Thu, 01 Jan 2026 00:00:00 GMT');
    assert.match(res.text, /First post/);
  });

  it('answers a revalidation with 304 and the same freshness headers, without rendering', async () => {
    const renders = app.locals.renders;
    const res = await request(server)
      .get('/articles/1')
      .set('If-None-Match', '"article-1-v1"')
      .expect(304);
    assert.equal(app.locals.renders, renders);
    assert.equal(res.headers['cache-control'], 'public, max-age=60');
    assert.ok(res.headers.expires);
  });

  it('renders again once the article is edited, under a new ETag', async () => {
    const edit = await request(server).put('/articles/1').type('text').send('Edited.').expect(204);
    assert.equal(edit.headers['cache-control'], 'no-store');
    const renders = app.locals.renders;
    const res = await request(server)
      .get('/articles/1')
      .set('If-None-Match', '"article-1-v1"')
      .expect(200);
    assert.equal(app.locals.renders, renders + 1);
    assert.equal(res.headers.etag, '"article-1-v2"');
    assert.match(res.text, /Edited\./);
  });

  it('marks a missing article no-store', async () => {
    const res = await request(server).get('/articles/404').expect(404);
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});
