/**
 * Preloaded (`--import`) into a test process that runs the response-cache scenarios with every app
 * served through `cacheFront(app)` (see response-cache-matrix.ts).
 */
(globalThis as Record<symbol, unknown>)[Symbol.for('larder.test.front')] = true;
