import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CallTimeoutError,
  CircuitOpenError,
  createCircuitBreaker,
} from '../src/circuit-breaker.ts';
import { testOptionErrors } from './option-errors.ts';

const fail =
  (message = 'down') =>
  () =>
    Promise.reject(new Error(message));
const ok =
  <T>(value: T) =>
  () =>
    Promise.resolve(value);

function clock(start = 1_000) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

async function failTimes(breaker: ReturnType<typeof createCircuitBreaker>, times: number) {
  for (let i = 0; i < times; i++) await assert.rejects(breaker.run(fail()), /down/);
}

describe('createCircuitBreaker', () => {
  it('passes values and errors through while closed', async () => {
    const breaker = createCircuitBreaker();
    assert.equal(await breaker.run(ok(42)), 42);
    await assert.rejects(breaker.run(fail('boom')), /boom/);
    assert.equal(breaker.state, 'closed');
  });

  it('opens after `failures` consecutive failures and then fails fast without calling', async () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failures: 3, now: time.now });
    await failTimes(breaker, 2);
    assert.equal(breaker.state, 'closed');
    await failTimes(breaker, 1);
    assert.equal(breaker.state, 'open');
    let calls = 0;
    await assert.rejects(
      breaker.run(() => {
        calls++;
        return Promise.resolve(1);
      }),
      (error: Error) => {
        assert.ok(error instanceof CircuitOpenError);
        assert.match(error.message, /3 consecutive failures.*probing again in 1000 ms.*down/);
        assert.equal((error.cause as Error).message, 'down');
        return true;
      },
    );
    assert.equal(calls, 0);
  });

  it('counts only consecutive failures: a success in between resets the count', async () => {
    const breaker = createCircuitBreaker({ failures: 2 });
    await failTimes(breaker, 1);
    await breaker.run(ok(1));
    await failTimes(breaker, 1);
    assert.equal(breaker.state, 'closed');
  });

  it('counts a synchronous throw from the call as a failure', async () => {
    const breaker = createCircuitBreaker({ failures: 1 });
    await assert.rejects(
      breaker.run(() => {
        throw new Error('sync');
      }),
      /sync/,
    );
    assert.equal(breaker.state, 'open');
  });

  it('lets one probe through after `probeAfter` and closes when it succeeds', async () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failures: 1, probeAfter: '2s', now: time.now });
    await failTimes(breaker, 1);
    time.advance(1999);
    await assert.rejects(breaker.run(ok(1)), CircuitOpenError);
    time.advance(1);
    let release!: (value: number) => void;
    const probe = breaker.run(
      () =>
        new Promise<number>((resolve) => {
          release = resolve;
        }),
    );
    assert.equal(breaker.state, 'probing');
    // While the probe is out, other calls still fail fast.
    await assert.rejects(breaker.run(ok(2)), CircuitOpenError);
    release(7);
    assert.equal(await probe, 7);
    assert.equal(breaker.state, 'closed');
    assert.equal(await breaker.run(ok(3)), 3);
  });

  it('stays open for another interval when the probe fails', async () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failures: 1, probeAfter: 1, now: time.now });
    await failTimes(breaker, 1);
    time.advance(1000);
    await assert.rejects(breaker.run(fail('still down')), /still down/);
    assert.equal(breaker.state, 'open');
    time.advance(999);
    await assert.rejects(breaker.run(ok(1)), /still down/);
    time.advance(1);
    assert.equal(await breaker.run(ok(1)), 1);
  });

  it('lets a second probe through when the first has not settled after `probeAfter`', async () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failures: 1, probeAfter: 1, now: time.now });
    await failTimes(breaker, 1);
    time.advance(1000);
    void breaker.run(() => new Promise(() => {}));
    time.advance(1000);
    assert.equal(await breaker.run(ok('second')), 'second');
    assert.equal(breaker.state, 'closed');
  });

  it('rejects a call that does not settle within `timeout` and counts it as a failure', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const breaker = createCircuitBreaker({ failures: 1, timeout: '50ms' });
    const pending = breaker.run(() => new Promise(() => {}));
    t.mock.timers.tick(49);
    assert.equal(breaker.state, 'closed');
    t.mock.timers.tick(1);
    await assert.rejects(pending, (error: Error) => {
      assert.ok(error instanceof CallTimeoutError);
      assert.equal(error.message, 'no answer within 50 ms');
      return true;
    });
    assert.equal(breaker.state, 'open');
  });

  it('clears the timer of a call that settles in time', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const breaker = createCircuitBreaker({ failures: 1, timeout: 1 });
    assert.equal(await breaker.run(ok('fast')), 'fast');
    t.mock.timers.tick(5000);
    assert.equal(breaker.state, 'closed');
  });
});

describe('createCircuitBreaker options', () => {
  testOptionErrors(createCircuitBreaker, [
    ['failures: 0', { failures: 0 }, RangeError, /createCircuitBreaker.*"failures".*0/],
    ['failures: 1.5', { failures: 1.5 }, RangeError, /"failures".*1\.5/],
    ['probeAfter: -1', { probeAfter: -1 }, RangeError, /createCircuitBreaker.*"probeAfter".*-1/],
    ['timeout: "soon"', { timeout: 'soon' }, RangeError, /"timeout".*"soon"/],
    ['now: 5', { now: 5 }, TypeError, /createCircuitBreaker.*"now"/],
    [
      'an unknown option',
      { retries: 3 },
      TypeError,
      /createCircuitBreaker.*unknown option "retries"/,
    ],
  ]);
});
