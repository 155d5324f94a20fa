import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CacheRequest } from '@larder/http';
import fc from 'fast-check';
import { KeyBuilder } from '../../src/response-cache/cache-key.ts';
import { resolveOptions } from '../../src/response-cache/options.ts';
import { engineWith, ok } from './helpers.ts';

const text = fc.string({ unit: 'binary', maxLength: 300 });
const header = fc.oneof(text, fc.array(text, { maxLength: 3 }), fc.constant(undefined));

const request = fc.record({
  method: fc.constantFrom('GET', 'HEAD'),
  path: fc.oneof(
    fc.constant('/a'),
    text.map((t) => `/${t}`),
  ),
  query: text,
  host: fc.oneof(text, fc.constant(undefined)),
  headers: fc.record({
    'accept-language': header,
    'accept-encoding': header,
    'if-none-match': header,
    'if-modified-since': header,
    'x-tenant': header,
  }),
}) as fc.Arbitrary<CacheRequest>;

describe('hostile client input', () => {
  test('never throws and always decides, whatever the path, query, host and headers', async () => {
    const { engine } = engineWith({ language: true, host: true, headers: ['x-tenant'] });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const decision = await engine.handle(r);
        assert.ok(['pass', 'serve', 'fill'].includes(decision.kind));
        if (decision.kind === 'fill') {
          const reply = await decision.fill.complete(ok('x'));
          assert.ok(reply.status === 200 || reply.status === 304);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('gives different requests different keys (no collisions between components)', () => {
    const keys = new KeyBuilder(
      resolveOptions({ language: true, host: true, headers: ['x-a', 'x-b'] }),
    );
    fc.assert(
      fc.property(request, request, (a, b) => {
        const ka = keys.keyOf(a);
        const kb = keys.keyOf(b);
        if (ka === undefined || kb === undefined || ka !== kb) return;
        // Equal keys are only allowed for requests equal after normalisation: check the path and host.
        assert.equal(a.path, b.path);
        assert.equal((a.host ?? '').toLowerCase(), (b.host ?? '').toLowerCase());
      }),
      { numRuns: 500 },
    );
  });
});
