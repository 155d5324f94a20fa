import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createShop as expressShop } from '../../examples/front-express/app.ts';
import { createShop as koaShop } from '../../examples/front-koa/app.ts';

for (const [name, createShop] of [
  ['front-express', expressShop],
  ['front-koa', koaShop],
] as const) {
  describe(`examples/${name}`, () => {
    const shop = createShop();
    let server: Server;
    before(async () => {
      server = createServer(shop.front);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('renders a product once; the repeat is answered by the front, logged through onHit', async () => {
      const miss = await request(server).get('/products/1').expect(200);
      assert.equal(miss.headers['x-cache'], 'MISS');
      const hit = await request(server).get('/products/1').expect(200, miss.text);
      assert.equal(hit.headers['x-cache'], 'HIT');
      assert.equal(shop.renders(), 1);
      assert.deepEqual(shop.log.slice(-2), [
        'GET /products/1 (app)',
        'GET /products/1 200 (front)',
      ]);
      assert.deepEqual(shop.front.stats(), { hits: 1, passed: 1 });
    });

    it('shows a new price at once after the update invalidates the product tag', async () => {
      await request(server).put('/products/1').type('text').send('15').expect(204);
      const res = await request(server).get('/products/1').expect(200);
      assert.match(res.text, /15 EUR/);
      assert.equal(res.headers['x-cache'], 'MISS');
      assert.equal(shop.renders(), 2);
    });

    it('keeps the admin auth check on every request, even once the report is cached', async () => {
      const token = { 'x-admin-token': 'let-me-in' };
      await request(server).get('/admin/report').set(token).expect(200, '2 products\n');
      const cached = await request(server).get('/admin/report').set(token).expect(200);
      assert.equal(cached.headers['x-cache'], 'HIT');
      assert.equal(shop.log.at(-1), 'GET /admin/report (app)');
      await request(server).get('/admin/report').expect(401);
    });
  });
}
