import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCache } from '@larder/core';
import ejs from 'ejs';
import express from 'express';
import request from 'supertest';
import { createFragmentHelper, ejsAsyncEngine } from '../src/index.ts';

describe('createFragmentHelper', () => {
  function setup() {
    let now = 1_000_000;
    const fragment = createFragmentHelper({ cache: createCache({ now: () => now }), ttl: '1h' });
    let runs = 0;
    const body = () => `<p>${++runs}</p>`;
    return { fragment, body, runs: () => runs, advance: (ms: number) => (now += ms) };
  }

  it('takes (key, body) and caches under the key', async () => {
    const { fragment, body, runs } = setup();
    assert.equal(await fragment('k', body), '<p>1</p>');
    assert.equal(await fragment('k', body), '<p>1</p>');
    assert.equal(runs(), 1);
  });

  it('takes (key, ttl, body): the ttl is this fragment’s', async () => {
    const { fragment, body, advance } = setup();
    await fragment('k', 5, body);
    advance(6_000);
    assert.equal(await fragment('k', 5, body), '<p>2</p>');
  });

  it('reads an array key as [key, ...vary] and settings.vary as more vary values', async () => {
    const { fragment, body, runs } = setup();
    await fragment(['k', 1], body);
    await fragment(['k', 2], body);
    await fragment(['k', 1], body);
    await fragment('k', { vary: [1] }, body);
    assert.equal(runs(), 2, "['k', 1] and ('k', { vary: [1] }) are one fragment");
    await fragment.fragments.invalidate('k', 2);
    await fragment(['k', 2], body);
    assert.equal(runs(), 3);
  });

  it('stores settings.tags for invalidateTags', async () => {
    const { fragment, body, runs } = setup();
    await fragment('k', { tags: 'menu' }, body);
    await fragment.fragments.invalidateTags(['menu']);
    await fragment('k', { tags: 'menu' }, body);
    assert.equal(runs(), 2);
  });

  it('rejects unknown settings and a body that is not a function', async () => {
    const { fragment } = setup();
    await assert.rejects(
      fragment('k', { tll: 1 } as never, () => ''),
      /fragment\(\): unknown option "tll"/,
    );
    await assert.rejects(fragment('k', 'x' as never), /the last argument must be a function/);
  });

  it('throws at setup for a template that is not a string, naming createFragmentHelper', () => {
    assert.throws(
      () => createFragmentHelper({ template: 3 as never }),
      /createFragmentHelper: option "template" must be a string, got 3/,
    );
  });
});

describe('ejsAsyncEngine', () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  async function app(files: Record<string, string>) {
    const dir = await mkdtemp(join(tmpdir(), 'larder-ejs-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const server = express();
    server.set('env', 'test');
    server.set('views', dir);
    server.engine('ejs', ejsAsyncEngine(ejs));
    server.set('view engine', 'ejs');
    server.locals.fragment = createFragmentHelper();
    server.get('/', (_req, res) => res.render('page', { name: '<Ann>' }));
    return server;
  }

  it('lets res.render await an async include inside a fragment, escaping as EJS does', async () => {
    const server = await app({
      'page.ejs': "<main><%- await fragment('greeting', () => include('greeting')) %></main>",
      'greeting.ejs': '<p>Hi <%= name %></p>',
    });
    await request(server).get('/').expect(200, '<main><p>Hi &lt;Ann&gt;</p></main>');
  });

  it('hands a template error to Express’s error handling', async () => {
    const server = await app({ 'page.ejs': '<%= await missing() %>' });
    await request(server).get('/').expect(500);
  });

  it('throws at setup for something that is not the ejs module', () => {
    assert.throws(
      () => ejsAsyncEngine({} as never),
      /ejsAsyncEngine: the argument must be the ejs module/,
    );
  });
});
