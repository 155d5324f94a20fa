import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createCache, createFileStore } from '@larder/core';
import { describeEngines, engineApp, fixtureDir } from './engine-matrix.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** The parts of the page that differ between renders: each block's counter and the user. */
function blocks(html: string): Record<string, string> {
  const found: Record<string, string> = {};
  const patterns = {
    outer: /<outer n="(\d+)">/,
    inner: /<inner n="(\d+)"\/>/,
    user: /<user n="(\d+)">/,
    name: /<user n="\d+">([^<]*)<\/user>/,
  };
  for (const [name, pattern] of Object.entries(patterns)) {
    const match = pattern.exec(html)?.[1];
    if (match !== undefined) found[name] = match;
  }
  return found;
}

describeEngines('fragment caching', (engine, framework) => {
  it('renders every block once, then serves the page from its fragments without running any block body', async () => {
    const app = engineApp(engine, framework);
    const first = await app.http().get('/?user=ann').expect(200);
    assert.match(first.text, /<h1>Menu<\/h1>/);
    assert.deepEqual(blocks(first.text), { outer: '1', inner: '1', user: '1', name: 'ann' });
    const second = await app.http().get('/?user=ann').expect(200);
    assert.equal(second.text, first.text);
    assert.deepEqual(app.counts, { outer: 1, inner: 1, user: 1 });
  });

  it('keeps nested blocks with distinct keys apart: re-rendering the outer block reuses the inner fragment', async () => {
    const app = engineApp(engine, framework);
    await app.http().get('/?user=ann').expect(200);
    await app.fragments.invalidate('outer');
    const again = await app.http().get('/?user=ann').expect(200);
    assert.deepEqual(app.counts, { outer: 2, inner: 1, user: 1 });
    assert.deepEqual(blocks(again.text), { outer: '2', inner: '1', user: '1', name: 'ann' });
    await app.fragments.invalidate('inner');
    await app.fragments.invalidate('outer');
    await app.http().get('/?user=ann').expect(200);
    assert.deepEqual(app.counts, { outer: 3, inner: 2, user: 1 });
  });

  it('keeps one fragment per value of the variable it is keyed on', async () => {
    const app = engineApp(engine, framework);
    const ann = await app.http().get('/?user=ann').expect(200);
    const bob = await app.http().get('/?user=bob').expect(200);
    const annAgain = await app.http().get('/?user=ann').expect(200);
    assert.equal(blocks(ann.text).name, 'ann');
    assert.equal(blocks(bob.text).name, 'bob');
    assert.equal(annAgain.text, ann.text);
    assert.deepEqual(app.counts, { outer: 1, inner: 1, user: 2 });
    await app.fragments.invalidate('user', 'bob');
    await app.http().get('/?user=ann').expect(200);
    await app.http().get('/?user=bob').expect(200);
    assert.equal(app.counts.user, 3, 'invalidating one value leaves the others cached');
  });

  it('runs each block once for ten concurrent cold renders of one page', async () => {
    const app = engineApp(engine, framework);
    const pages = await Promise.all(
      Array.from({ length: 10 }, () => app.http().get('/?user=cy').expect(200)),
    );
    assert.equal(new Set(pages.map((page) => page.text)).size, 1);
    assert.deepEqual(app.counts, { outer: 1, inner: 1, user: 1 });
  });

  it('serves a fragment another app instance rendered into a shared file store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'larder-views-'));
    dirs.push(dir);
    const shared = () => ({
      cache: createCache({ stores: { default: createFileStore({ dir }) } }),
    });
    const one = engineApp(engine, framework, { fragments: shared() });
    const two = engineApp(engine, framework, { fragments: shared() });
    const first = await one.http().get('/?user=dee').expect(200);
    const second = await two.http().get('/?user=dee').expect(200);
    assert.equal(second.text, first.text);
    assert.deepEqual(two.counts, { outer: 0, inner: 0, user: 0 });
  });

  it('fails the render, and stores nothing, when the key variable is undefined', async () => {
    const app = engineApp(engine, framework);
    const res = await app.http().get('/').expect(500);
    assert.match(res.text, /evaluated to undefined/);
    assert.equal(app.counts.user, 0);
  });

  it('still serves every page, rendered in full, when the store fails on every call', async () => {
    const down = () => Promise.reject(new Error('store down'));
    const errors: Error[] = [];
    const cache = createCache({
      stores: { default: { get: down, set: down, delete: down } },
      onError: (error) => errors.push(error),
    });
    const app = engineApp(engine, framework, { fragments: { cache } });
    const first = await app.http().get('/?user=fay').expect(200);
    const second = await app.http().get('/?user=fay').expect(200);
    assert.deepEqual(blocks(second.text), {
      ...blocks(first.text),
      outer: '2',
      inner: '2',
      user: '2',
    });
    assert.deepEqual(app.counts, { outer: 2, inner: 2, user: 2 });
    assert.ok(errors.length > 0, 'the failures reach onError');
  });

  it('renders every block every time with enabled: false', async () => {
    const app = engineApp(engine, framework, { fragments: { enabled: false } });
    await app.http().get('/?user=eve').expect(200);
    await app.http().get('/?user=eve').expect(200);
    assert.deepEqual(app.counts, { outer: 2, inner: 2, user: 2 });
  });
});

describeEngines(
  'fragment caching: template digest',
  (engine, framework) => {
    async function editable(): Promise<{ dir: string; edit(): Promise<void> }> {
      const dir = `${await mkdtemp(join(tmpdir(), 'larder-views-'))}/`;
      dirs.push(dir);
      await cp(fixtureDir(engine), dir, { recursive: true });
      const page = join(dir, engine === 'liquid' ? 'page.liquid' : 'page.njk');
      return {
        dir,
        edit: async () =>
          writeFile(page, (await readFile(page, 'utf8')).replace('<h1>', '<h1 class="new">')),
      };
    }

    it('retires every fragment of a template when its source changes', async () => {
      const { dir, edit } = await editable();
      const app = engineApp(engine, framework, { dir });
      await app.http().get('/?user=ann').expect(200);
      await app.http().get('/?user=ann').expect(200);
      assert.deepEqual(app.counts, { outer: 1, inner: 1, user: 1 });
      await edit();
      const edited = await app.http().get('/?user=ann').expect(200);
      assert.match(edited.text, /<h1 class="new">/);
      assert.deepEqual(app.counts, { outer: 2, inner: 2, user: 2 });
    });

    it('keeps serving the fragments of an edited template with digest: false', async () => {
      const { dir, edit } = await editable();
      const app = engineApp(engine, framework, { dir, fragments: { digest: false } });
      await app.http().get('/?user=ann').expect(200);
      await edit();
      const edited = await app.http().get('/?user=ann').expect(200);
      assert.match(edited.text, /<h1 class="new">/);
      assert.deepEqual(app.counts, { outer: 1, inner: 1, user: 1 });
    });
  },
  ['liquid', 'nunjucks'],
);
