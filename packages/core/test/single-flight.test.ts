import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SingleFlight } from '../src/single-flight.ts';
import { deferred } from './cache-helpers.ts';

describe('SingleFlight', () => {
  it('hands the running computation to joiners and releases the key when it settles', async () => {
    const flights = new SingleFlight();
    const gate = deferred<string>();
    const flight = flights.run('k', () => gate.promise);
    assert.equal(flights.join('k'), flight);
    assert.equal(flights.size, 1);
    gate.resolve('v');
    assert.equal(await flight, 'v');
    assert.equal(flights.join('k'), undefined);
    assert.equal(flights.size, 0);
  });

  it('releases the key after a failure so the next caller starts afresh', async () => {
    const flights = new SingleFlight();
    const failing = flights.run('k', () => Promise.reject(new Error('no')));
    await assert.rejects(flights.join('k')!, /no/);
    await assert.rejects(failing, /no/);
    assert.equal(flights.join('k'), undefined);
  });
});
