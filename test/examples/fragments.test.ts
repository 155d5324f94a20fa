import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FragmentCache } from '@larder/views';
import request from 'supertest';
import { createApp } from '../../examples/fragments/app.ts';

describe('examples/fragments', () => {
  const app = createApp();
  const fragments = app.locals.fragments as FragmentCache;
  let server: Server;
  before(async () => {
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Runs `fn` and returns how many catalogue queries and fragment misses it caused. */
  async function cost(fn: () => Promise<unknown>): Promise<{ queries: number; misses: number }> {
    const queries = app.locals.queries as number;
    const misses = fragments.cache.stats().misses;
    await fn();
    return {
      queries: (app.locals.queries as number) - queries,
      misses: fragments.cache.stats().misses - misses,
    };
  }

  let firstPage = '';

  it('renders the shop page from its fragments, querying the catalogue on the first render', async () => {
    const spent = await cost(async () => {
      const res = await request(server).get('/shop/tea').expect(200);
      firstPage = res.text;
    });
    assert.match(firstPage, /<a href="\/shop\/coffee">coffee<\/a>/);
    assert.match(firstPage, /<b>Sencha<\/b> 9 €/);
    assert.match(firstPage, /<b>Assam<\/b> 7 €/);
    assert.deepEqual(spent, { queries: 2, misses: 4 }, 'menu, list and two products');
  });

  it('serves the same page again without a query or a fragment miss', async () => {
    const spent = await cost(async () => {
      await request(server).get('/shop/tea').expect(200, firstPage);
    });
    assert.deepEqual(spent, { queries: 0, misses: 0 });
  });

  it('keeps the greeting per visitor while the fragments around it are reused', async () => {
    const spent = await cost(async () => {
      const res = await request(server).get('/shop/tea').set('X-Visitor', 'Ann').expect(200);
      assert.match(res.text, /Hello, Ann\./);
      assert.equal(res.text.replace('Hello, Ann.', 'Hello, guest.'), firstPage);
    });
    assert.deepEqual(spent, { queries: 0, misses: 0 });
  });

  it('gives another category its own product list, with the menu still cached', async () => {
    const spent = await cost(async () => {
      const res = await request(server).get('/shop/coffee').expect(200);
      assert.match(res.text, /<b>Mocha<\/b> 12 €/);
      assert.doesNotMatch(res.text, /Sencha/);
    });
    assert.deepEqual(spent, { queries: 1, misses: 2 }, 'the coffee list and Mocha');
  });

  it('shows an edited price at once, re-rendering only the list and the edited product', async () => {
    await request(server).put('/products/1').send({ price: 10 }).expect(204);
    const spent = await cost(async () => {
      const res = await request(server).get('/shop/tea').expect(200);
      assert.match(res.text, /<b>Sencha<\/b> 10 €/);
      assert.match(res.text, /<b>Assam<\/b> 7 €/);
    });
    assert.deepEqual(spent, { queries: 1, misses: 2 }, 'the tea list and Sencha v2; Assam reused');
  });

  it('answers 404 for an unknown category and 400 for an edit without a price', async () => {
    await request(server).get('/shop/cheese').expect(404);
    await request(server).put('/products/1').send({ price: 'free' }).expect(400);
    await request(server).put('/products/99').send({ price: 1 }).expect(404);
  });
});
