/**
 * The response-cache scenario lists, run again with every app served through `cacheFront(app)`:
 * a child test process preloads front-mode.ts, so `describeMatrix` builds each app behind the
 * front (Express and Koa). Every scenario must give the same status, headers and bytes as without
 * it; the only scenarios allowed to differ are listed below with the reason.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The suites whose apps are built through `describeMatrix` (and so run behind the front). */
const suites = [
  'test/conformance/option-misuse.test.ts',
  'test/conformance/response-cache-coded-etag.test.ts',
  'test/conformance/response-cache-compression.test.ts',
  'test/conformance/response-cache-concurrency.test.ts',
  'test/conformance/response-cache-control.test.ts',
  'test/conformance/response-cache-defaults.test.ts',
  'test/conformance/response-cache-entry-trust.test.ts',
  'test/conformance/response-cache-keying.test.ts',
  'test/conformance/response-cache-replay.test.ts',
  'test/conformance/response-cache-status.test.ts',
  'test/conformance/response-cache-stores.test.ts',
  'test/security/response-cache-security.test.ts',
];

/**
 * Scenarios that assert which of two nested `responseCache` instances saw a hit: a front hit
 * reaches neither (it is counted on the instance that stored the entry), so their per-instance
 * counters differ by design. Their responses are the same.
 */
const differsByDesign = new Set([
  'makes one entry when an app-wide and a route responseCache both apply, with the route options',
  'counts each request once across nested instances: a miss, a hit and a bypass',
]);

function withoutTestContext(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function runBehindFront(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@larder/source',
        '--import',
        'tsx',
        '--import',
        './test/helpers/front-mode.ts',
        '--test',
        '--test-reporter=tap',
        ...suites,
      ],
      // Without the parent runner's context, so the child reports in TAP rather than to the parent.
      { cwd: root, env: withoutTestContext(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

it('runs every response-cache scenario with cacheFront in front, on Express and Koa, with the same replies', async () => {
  const tap = await runBehindFront();
  const failed = [...tap.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => (m[1] ?? '').trim());
  // A suite fails when one of its scenarios does: the scenario names are what to check.
  const scenarios = failed.filter((name) => !/\[(express|koa)\+front\]$/.test(name));
  const unexpected = scenarios.filter((name) => !differsByDesign.has(name));
  assert.deepEqual(unexpected, [], `scenarios that differ behind the front:\n${tap}`);
  const passed = Number(/^# pass (\d+)$/m.exec(tap)?.[1] ?? 0);
  assert.ok(passed > 200, `only ${passed} scenarios passed behind the front`);
  // Every failing suite holds one of the scenarios that differ by design (no suite-level failure).
  assert.ok(failed.length - scenarios.length <= scenarios.length);
  assert.match(tap, /\[express\+front\]/);
  assert.match(tap, /\[koa\+front\]/);
});
