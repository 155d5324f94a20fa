import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { forwardStatus, hitStatus, statusHeaders } from '../../src/response-cache/cache-status.ts';

describe('Cache-Status values (RFC 9211)', () => {
  const now = Date.UTC(2026, 0, 1);
  it('says hit with the remaining freshness in whole seconds', () => {
    assert.equal(hitStatus(now + 42_900, now), 'Larder; hit; ttl=42');
  });
  it('says hit with a negative ttl once stale', () => {
    assert.equal(hitStatus(now - 5_000, now), 'Larder; hit; ttl=-5');
  });
  it('leaves ttl out for an entry that never expires', () => {
    assert.equal(hitStatus(Number.POSITIVE_INFINITY, now), 'Larder; hit');
  });
  const forwards: readonly (readonly [Parameters<typeof forwardStatus>, string])[] = [
    [['uri-miss', true], 'Larder; fwd=uri-miss; stored'],
    [['miss', false, 'set-cookie'], 'Larder; fwd=miss; detail=set-cookie'],
    [['bypass', false, 'cookie'], 'Larder; fwd=bypass; detail=cookie'],
    [['stale', true], 'Larder; fwd=stale; stored'],
    [['uri-miss', false, 'collapsed'], 'Larder; fwd=uri-miss; collapsed'],
    [['uri-miss', false], 'Larder; fwd=uri-miss'],
  ];
  for (const [args, expected] of forwards) {
    it(`says ${expected}`, () => assert.equal(forwardStatus(...args), expected));
  }
  it('sets only the headers that are switched on', () => {
    const both = statusHeaders({ short: 'x-cache', standard: 'cache-status' }, 'HIT', 'v');
    assert.deepEqual(both, { 'x-cache': 'HIT', 'cache-status': 'v' });
    assert.deepEqual(statusHeaders({ short: undefined, standard: 'cs' }, 'HIT', 'v'), { cs: 'v' });
    assert.deepEqual(statusHeaders({ short: undefined, standard: undefined }, 'HIT', 'v'), {});
  });
});

describe('NODE_DEBUG=larder', () => {
  const script = fileURLToPath(new URL('./fixtures/debug-run.ts', import.meta.url));
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--conditions=@larder/source', '--import', 'tsx', script], {
      env: { ...process.env, NODE_DEBUG: '', ...env },
      encoding: 'utf8',
    });
  it('logs each decision with its reason to stderr', () => {
    const out = run({ NODE_DEBUG: 'larder' });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stderr, /LARDER \d+: bypass POST \/a \(method\)/);
    assert.match(out.stderr, /LARDER \d+: miss \(uri-miss\) GET \/a/);
    assert.match(out.stderr, /LARDER \d+: stored GET \/a/);
    assert.match(out.stderr, /LARDER \d+: hit GET \/a/);
    assert.match(out.stderr, /LARDER \d+: not stored GET \/b \(set-cookie\)/);
  });
  it('logs nothing when NODE_DEBUG does not name larder', () => {
    const out = run({ NODE_DEBUG: 'http' });
    assert.equal(out.status, 0, out.stderr);
    assert.doesNotMatch(out.stderr, /LARDER/);
  });
});
