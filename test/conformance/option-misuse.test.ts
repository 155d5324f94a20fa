import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as larderExpress from '@larder/express';
import * as larderKoa from '@larder/koa';
import express, { type NextFunction, type Request, type Response } from 'express';
import Koa from 'koa';
import request from 'supertest';

// Each misspelt option throws at setup, on both frameworks, naming the function and the option.
const misspelt: ReadonlyArray<
  [string, (x: typeof larderExpress | typeof larderKoa) => unknown, RegExp]
> = [
  [
    'responseCache({ tll })',
    (x) => x.responseCache({ tll: 30 } as never),
    /^responseCache: unknown option "tll" \(did you mean "ttl"\?\)/,
  ],
  [
    'responseCache({ maxBodySise })',
    (x) => x.responseCache({ maxBodySise: 1 } as never),
    /did you mean "maxBodySize"\?/,
  ],
  [
    'responseCache(null)',
    (x) => x.responseCache(null as never),
    /^responseCache: options must be an object, got null$/,
  ],
  [
    'cacheHeaders({ cachecontrol })',
    (x) => x.cacheHeaders({ cachecontrol: {} } as never),
    /^cacheHeaders: unknown option "cachecontrol" \(did you mean "cacheControl"\?\)/,
  ],
  [
    'cacheHeaders({ noCache: "yes" })',
    (x) => x.cacheHeaders({ noCache: 'yes' } as never),
    /^cacheHeaders: option "noCache" must be a boolean, got "yes"$/,
  ],
  [
    'cacheHeaders({ methods: {} })',
    (x) => x.cacheHeaders({ methods: { get: true } } as never),
    /got \{ get: true \}$/,
  ],
];

const frameworks = [
  ['express', larderExpress],
  ['koa', larderKoa],
] as const;

for (const [name, larder] of frameworks) {
  describe(`option misuse [${name}]`, () => {
    for (const [label, call, message] of misspelt) {
      it(`${label} throws a TypeError at setup`, () => {
        assert.throws(
          () => call(larder),
          (error: Error) => error instanceof TypeError && message.test(error.message),
        );
      });
    }
  });
}

function expressApp(mount: (app: express.Express) => void, errors: Error[]) {
  const app = express();
  mount(app);
  app.get('/', (_req, res) => {
    res.send('handler');
  });
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    errors.push(error);
    res.status(500).send(error.message);
  });
  return app;
}

function koaApp(mount: (app: Koa) => void, errors: Error[]) {
  const app = new Koa();
  app.silent = true;
  app.on('error', (error: Error) => errors.push(error));
  mount(app);
  app.use((ctx) => {
    ctx.body = 'handler';
  });
  return app;
}

describe('a factory mounted without calling it fails at once, saying to call it', () => {
  const uncalled = [
    ['responseCache', larderExpress.responseCache, larderKoa.responseCache],
    ['cacheHeaders', larderExpress.cacheHeaders, larderKoa.cacheHeaders],
  ] as const;
  for (const [factory, forExpress, forKoa] of uncalled) {
    it(`express: app.use(${factory}) answers 500 on the first request, naming ${factory}()`, async () => {
      const errors: Error[] = [];
      const app = expressApp((a) => a.use(forExpress as never), errors);
      const res = await request(app).get('/').timeout(2000).expect(500);
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof TypeError);
      assert.match(res.text, new RegExp(`app\\.use\\(${factory}\\(\\)\\)`));
      assert.match(
        errors[0].message,
        new RegExp(`^${factory}: received a request instead of options`),
      );
    });

    it(`koa: app.use(${factory}) answers 500 on the first request, naming ${factory}()`, async () => {
      const errors: Error[] = [];
      const app = koaApp((a) => a.use(forKoa as never), errors);
      await request(app.callback()).get('/').timeout(2000).expect(500);
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof TypeError);
      assert.match(errors[0].message, new RegExp(`app\\.use\\(${factory}\\(\\)\\)`));
    });
  }

  it('the called factories serve the same apps normally', async () => {
    const errors: Error[] = [];
    await request(expressApp((a) => a.use(larderExpress.responseCache()), errors))
      .get('/')
      .expect(200, 'handler');
    await request(koaApp((a) => a.use(larderKoa.responseCache()), errors).callback())
      .get('/')
      .expect(200, 'handler');
    assert.deepEqual(errors, []);
  });
});

describe('cachedRender rejects a misspelt option before rendering', () => {
  it('express', async () => {
    const app = express();
    let renders = 0;
    app.engine('txt', (_path, _locals, done) => {
      renders++;
      done(null, 'page');
    });
    app.set('view engine', 'txt');
    app.set('views', '/nonexistent');
    const errors: Error[] = [];
    app.get('/', async (_req, res, next) => {
      await larderExpress.cachedRender(res, 'page', {}, { tll: 5 } as never).catch(next);
    });
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(error);
      res.status(500).end();
    });
    await request(app).get('/').expect(500);
    assert.match(
      String(errors[0]),
      /^TypeError: cachedRender: unknown option "tll" \(did you mean "ttl"\?\)/,
    );
    assert.equal(renders, 0);
  });

  it('koa', async () => {
    const app = new Koa();
    app.silent = true;
    let renders = 0;
    const errors: Error[] = [];
    app.on('error', (error: Error) => errors.push(error));
    app.use(async (ctx) => {
      await larderKoa.cachedRender(ctx, 'page', {}, {
        rendr: async () => {
          renders++;
          return 'page';
        },
      } as never);
    });
    await request(app.callback()).get('/').expect(500);
    assert.match(
      String(errors[0]),
      /^TypeError: cachedRender: unknown option "rendr" \(did you mean "render"\?\)/,
    );
    assert.equal(renders, 0);
  });
});
