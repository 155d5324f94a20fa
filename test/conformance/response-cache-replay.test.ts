import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { Response, Test } from 'supertest';
import {
  countedApp,
  countedRoute,
  describeMatrix,
  type Exchange,
  manualClock,
} from '../helpers/response-cache-matrix.ts';
import { fixtures } from '../helpers/view-engine.ts';

const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const notes = readFileSync(`${fixtures}notes.txt`);

/** Every way a handler produces a body, with the bytes the client must receive. */
const producers: ReadonlyArray<{
  name: string;
  bytes: Buffer;
  produce: (x: Exchange) => unknown;
}> = [
  {
    name: 'a text body (res.send / ctx.body = string)',
    bytes: Buffer.from('héllo wörld'),
    produce: (x) => x.send('héllo wörld'),
  },
  {
    name: 'a binary Buffer',
    bytes: binary,
    produce: (x) => {
      x.set('Content-Type', 'application/octet-stream');
      x.send(binary);
    },
  },
  {
    name: 'JSON (res.json / ctx.body = object)',
    bytes: Buffer.from('{"a":[1,2],"b":"ü"}'),
    produce: (x) => x.json({ a: [1, 2], b: 'ü' }),
  },
  {
    name: 'res.writeHead(status, headers) and res.end(body)',
    bytes: Buffer.from('<p>raw</p>'),
    produce: (x) =>
      x.writeHead(200, { 'Content-Type': 'text/html', 'X-Written': 'by writeHead' }, '<p>raw</p>'),
  },
  {
    name: 'chunks written one by one (res.write + res.end / a stream body)',
    bytes: Buffer.from('one,two,three'),
    produce: (x) => {
      x.set('Content-Type', 'text/csv');
      return x.chunks(['one', Buffer.from(',two'), ',three']);
    },
  },
  {
    name: 'a piped stream',
    bytes: Buffer.concat([binary, binary]),
    produce: (x) => {
      x.set('Content-Type', 'application/octet-stream');
      return x.pipe([binary, binary]);
    },
  },
  {
    name: 'a file (res.sendFile / a file stream)',
    bytes: notes,
    produce: (x) => x.file('notes.txt'),
  },
  {
    name: 'a rendered view (res.render)',
    bytes: Buffer.from('Hello <b>Ada</b> from a Larder view.\n'),
    produce: (x) => x.render('page', { name: 'Ada' }),
  },
];

// Headers a hit may change: the cache status, Age, the connection's own, and Date.
const VOLATILE = new Set([
  'x-cache',
  'cache-status',
  'age',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

function stable(res: Response): Record<string, unknown> {
  return Object.fromEntries(Object.entries(res.headers).filter(([name]) => !VOLATILE.has(name)));
}

/** The body as raw bytes, whatever its type. */
function raw(req: Test) {
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

describeMatrix('responseCache replay', (fw) => {
  for (const producer of producers) {
    it(`replays ${producer.name} byte for byte with its status and headers`, async () => {
      const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/body' } }, (x) => {
        x.set('X-Custom', 'kept');
        return producer.produce(x);
      });
      const miss = await raw(app.http().get('/body')).expect(200);
      const hit = await raw(app.http().get('/body')).expect(200);
      assert.equal(calls(), 1);
      assert.equal(miss.headers['x-cache'], 'MISS');
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.deepEqual(miss.body, producer.bytes);
      assert.deepEqual(hit.body, producer.bytes);
      assert.deepEqual(stable(hit), stable(miss));
      assert.equal(hit.headers['x-custom'], 'kept');
      assert.equal(hit.headers['content-length'], String(producer.bytes.length));
    });
  }

  it('sends Age from the store time and X-Cache HIT on hits, MISS without Age on the fill', async () => {
    const clock = manualClock();
    const app = await fw.build({
      cache: { ttl: 60, now: clock.now },
      routes: [{ path: '/age', handler: (x) => x.send('aged') }],
    });
    const miss = await app.http().get('/age');
    assert.equal(miss.headers['x-cache'], 'MISS');
    assert.equal(miss.headers.age, undefined);
    clock.advance(7);
    const hit = await app.http().get('/age');
    assert.equal(hit.headers['x-cache'], 'HIT');
    assert.equal(hit.headers.age, '7');
    clock.advance(60);
    const expired = await app.http().get('/age');
    assert.equal(expired.headers['x-cache'], 'MISS');
  });

  it("never clobbers the handler's Cache-Control, and adds none of its own", async () => {
    const clock = manualClock();
    const cc = countedRoute({ path: '/cc' }, (x) => {
      x.set('Cache-Control', 'public, max-age=5, stale-while-revalidate=9');
      x.send('own header');
    });
    const app = await fw.build({
      cache: { ttl: 60, now: clock.now, statusHeader: 'X-Larder' },
      routes: [cc.spec, { path: '/none', handler: (x) => x.send('no header') }],
    });
    await app.http().get('/cc');
    clock.advance(30); // past the handler's max-age, within the server ttl: separate settings
    const hit = await app.http().get('/cc');
    assert.equal(hit.headers['x-larder'], 'HIT');
    assert.equal(hit.headers['x-cache'], undefined);
    assert.equal(hit.headers['cache-control'], 'public, max-age=5, stale-while-revalidate=9');
    assert.equal(cc.calls(), 1);
    await app.http().get('/none');
    const none = await app.http().get('/none');
    assert.equal(none.headers['x-larder'], 'HIT');
    assert.equal(none.headers['cache-control'], undefined);
  });

  it('answers 304 on a hit when If-None-Match lists the stored ETag', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/v' } }, (x) =>
      x.send('validated body'),
    );
    const first = await app.http().get('/v').expect(200);
    const etag = String(first.headers.etag);
    assert.ok(etag.length > 2);
    const cond = await app.http().get('/v').set('If-None-Match', `"other", ${etag}`).expect(304);
    assert.equal(cond.text, '');
    assert.equal(cond.headers.etag, etag);
    assert.equal(cond.headers['x-cache'], 'HIT');
    assert.equal(calls(), 1);
  });

  it('answers 304 on a hit when If-Modified-Since is not older than Last-Modified', async () => {
    const lastModified = 'Tue, 01 Dec 2025 10:00:00 GMT';
    const { app } = await countedApp(fw, { cache: {}, route: { path: '/lm' } }, (x) => {
      x.set('Last-Modified', lastModified);
      x.send('dated');
    });
    await app.http().get('/lm').expect(200);
    await app
      .http()
      .get('/lm')
      .set('If-Modified-Since', 'Wed, 02 Dec 2025 10:00:00 GMT')
      .expect(304);
    await app
      .http()
      .get('/lm')
      .set('If-Modified-Since', 'Mon, 30 Nov 2025 10:00:00 GMT')
      .expect(200, 'dated');
  });

  it('answers a conditional miss with 304 yet stores the full 200 body for later clients', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/cm' } }, (x) =>
      x.send('the full body'),
    );
    const first = await app.http().get('/cm').expect(200);
    await app.appCache?.invalidatePath('/cm');
    await app.http().get('/cm').set('If-None-Match', String(first.headers.etag)).expect(304);
    assert.equal(calls(), 2);
    const later = await app.http().get('/cm').expect(200, 'the full body');
    assert.equal(later.headers['x-cache'], 'HIT');
    assert.equal(calls(), 2);
  });

  it('answers a conditional miss on a file with 304 yet stores the whole file', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/file' } }, (x) =>
      x.file('notes.txt'),
    );
    await app
      .http()
      .get('/file')
      .set('If-Modified-Since', 'Fri, 01 Jan 2100 00:00:00 GMT')
      .expect(304);
    const later = await raw(app.http().get('/file')).expect(200);
    assert.deepEqual(later.body, notes);
    assert.equal(later.headers['x-cache'], 'HIT');
    assert.equal(calls(), 1);
  });

  it('answers 200 to a conditional miss whose validator does not match, and stores it', async () => {
    const { app, calls } = await countedApp(fw, { cache: {}, route: { path: '/cx' } }, (x) =>
      x.send('fresh body'),
    );
    await app.http().get('/cx').set('If-None-Match', '"stale-tag"').expect(200, 'fresh body');
    const hit = await app.http().get('/cx').expect(200, 'fresh body');
    assert.equal(hit.headers['x-cache'], 'HIT');
    assert.equal(calls(), 1);
  });
});
