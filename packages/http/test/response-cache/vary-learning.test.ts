import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMemoryStore } from '@larder/core';
import { type CacheRequest, createResponseCache, type HeaderRecord } from '@larder/http';
import { clock, counted, engineWith, get, ok, run } from './helpers.ts';

const lang = (value?: string, extra: HeaderRecord = {}) =>
  get('/page', value === undefined ? extra : { 'accept-language': value, ...extra });

/** An i18n handler: answers in the first language it is asked for, and says Vary: Accept-Language. */
const i18n = () =>
  counted((n, r: CacheRequest) => {
    const asked = String(r.headers['accept-language'] ?? 'en').slice(0, 2);
    return ok(`${asked} ${n}`, { vary: 'Accept-Language' });
  });

const body = (outcome: { reply: { body: Buffer | undefined } }) => String(outcome.reply.body);

describe('Vary learned from the response (Django learn_cache_key)', () => {
  test('stores a response that says Vary: Accept-Language as one variant per language', async () => {
    const { engine } = engineWith();
    const h = i18n();
    assert.equal(body(await run(engine, lang('fr'), h)), 'fr 1');
    assert.equal(body(await run(engine, lang('de'), h)), 'de 2');
    const fr = await run(engine, lang('fr'), h);
    assert.equal(body(fr), 'fr 1');
    assert.equal(fr.reply.headers['x-cache'], 'HIT');
    assert.equal(fr.reply.headers.vary, 'Accept-Language');
    assert.equal(body(await run(engine, lang('de'), h)), 'de 2');
    assert.equal(body(await run(engine, lang(), h)), 'en 3');
    assert.equal(h.calls, 3);
  });

  test('normalises Accept-Language: spellings of one preference order share a variant', async () => {
    const { engine } = engineWith();
    const h = i18n();
    await run(engine, lang('fr-CA, fr;q=0.9'), h);
    await run(engine, lang('FR-ca,fr;q=0.9'), h);
    await run(engine, lang('fr-CA;q=1,fr;q=0.5'), h);
    assert.equal(h.calls, 1);
    // The same first choice with another fallback may be answered differently: another variant.
    await run(engine, lang('fr-CA,de;q=0.9'), h);
    assert.equal(h.calls, 2);
  });

  test('normalises Accept-Language to the negotiated one of the languages option', async () => {
    const { engine } = engineWith({ languages: ['en', 'fr'] });
    const h = counted((n) => ok(`page ${n}`, { vary: 'Accept-Language' }));
    for (const value of ['fr-CA', 'fr', 'FR;q=0.8, de;q=0.1']) await run(engine, lang(value), h);
    assert.equal(h.calls, 1);
    for (const value of ['en-GB', 'de', 'xx']) await run(engine, lang(value), h);
    assert.equal(h.calls, 2);
  });

  test('learns any request field, an absent one apart from an empty one, whitespace folded', async () => {
    const { engine } = engineWith();
    const h = counted((n) => ok(`${n}`, { vary: 'X-Device, Accept-Encoding' }));
    const device = (value?: string) => get('/d', value === undefined ? {} : { 'x-device': value });
    for (const r of [device('phone'), device(' phone '), device(''), device(), device('tv')]) {
      await run(engine, r, h);
    }
    assert.equal(h.calls, 4);
  });

  test('remembers the recipe in the store, so another process on the store uses it', async () => {
    const store = createMemoryStore();
    const time = clock();
    const one = createResponseCache({ store, now: time.now });
    const two = createResponseCache({ store, now: time.now });
    const h = i18n();
    await run(one, lang('fr'), h);
    const de = await run(two, lang('de'), h);
    assert.equal(body(de), 'de 2');
    const fr = await run(two, lang('fr'), h);
    assert.equal(body(fr), 'fr 1');
    assert.equal(fr.reply.headers['x-cache'], 'HIT');
    assert.equal(h.calls, 2);
  });

  test('keeps coding variants apart within a language variant', async () => {
    const { engine } = engineWith();
    const h = counted((n, r) => {
      const gzip = String(r.headers['accept-encoding'] ?? '').includes('gzip');
      return ok(`${gzip ? 'gz' : 'plain'} ${n}`, {
        vary: 'Accept-Language, Accept-Encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      });
    });
    const requests = [
      lang('fr', { 'accept-encoding': 'gzip' }),
      lang('fr'),
      lang('de', { 'accept-encoding': 'gzip' }),
    ];
    for (const r of requests) await run(engine, r, h);
    assert.equal(h.calls, 3);
    const outcomes = [];
    for (const r of requests) outcomes.push(await run(engine, r, h));
    assert.deepEqual(outcomes.map(body), ['gz 1', 'plain 2', 'gz 3']);
    assert.equal(h.calls, 3);
  });

  test('re-learns when the response stops varying', async () => {
    const { engine } = engineWith({ ttl: 1 });
    let vary = true;
    const h = counted((n) => ok(`${n}`, vary ? { vary: 'Accept-Language' } : {}));
    await run(engine, lang('fr'), h);
    vary = false;
    await run(engine, lang('de'), h);
    await run(engine, lang('it'), h);
    // The plain entry replaced the recipe at the key: every language shares it now.
    assert.equal(h.calls, 2);
  });

  test('bounds the variants per key with maxVariants, sending the rest unstored', async () => {
    const { engine } = engineWith({ maxVariants: 2 });
    const h = i18n();
    for (const value of ['fr', 'de', 'it', 'it', 'fr']) await run(engine, lang(value), h);
    assert.equal(h.calls, 4);
    assert.deepEqual(engine.stats().bypass, { 'too-many-variants': 2 });
  });

  test('invalidatePath reaches every learned variant and the recipe', async () => {
    const { engine } = engineWith();
    const h = i18n();
    await run(engine, lang('fr'), h);
    await run(engine, lang('de'), h);
    await engine.invalidatePath('/page');
    assert.equal(body(await run(engine, lang('fr'), h)), 'fr 3');
    assert.equal(body(await run(engine, lang('de'), h)), 'de 4');
  });

  test('a waiter for another language does not get the leader’s variant', async () => {
    const { engine } = engineWith();
    const leader = await engine.handle(lang('fr'));
    assert.equal(leader.kind, 'fill');
    const sameLanguage = engine.handle(lang('fr'));
    const otherLanguage = engine.handle(lang('de'));
    await new Promise((resolve) => setImmediate(resolve));
    if (leader.kind === 'fill') await leader.fill.complete(ok('fr 1', { vary: 'Accept-Language' }));
    const same = await sameLanguage;
    assert.equal(same.kind, 'serve');
    assert.equal(same.kind === 'serve' && String(same.reply.body), 'fr 1');
    const other = await otherLanguage;
    assert.equal(other.kind, 'fill');
  });

  test('refuses Vary: * and Vary: Cookie, as before', async () => {
    const { engine } = engineWith();
    for (const vary of ['*', 'Cookie', 'Accept-Language, Cookie']) {
      await run(
        engine,
        lang('fr'),
        counted(() => ok('x', { vary })),
      );
    }
    assert.deepEqual(engine.stats().bypass, { 'vary-star': 1, 'vary-cookie': 2 });
    assert.equal(engine.stats().stored, 0);
  });
});
